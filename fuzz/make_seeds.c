/* Writes the seed corpus of fuzz_snapshot.c into the directory named on the
 * command line: genuine snapshots (echonet_ctl_save()) of a controller that
 * discovered simulated air conditioners (the library's own device side)
 * over an in-process network, each followed by a short script, plus a few
 * that must be refused (truncated, a field out of range, too many nodes).
 *   meson compile -C build-h1 fuzz-make-seeds
 *   build-h1/fuzz/fuzz-make-seeds fuzz/corpus/snapshot */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/echonet.h"

#define DEVS 8

ECHONET_CTL_STORAGE(st, 16, 32, 4, 32);

static struct dev {
    echonet_addr addr;
    echonet_node node;
    echonet_aircon ac[2];
    echonet_object obj[2], *slots[2];
    echonet_node_request queue[4];
    unsigned n_obj;
} devs[DEVS];
static unsigned n_devs;
static echonet_ctl ctl;
static const char *dir;

static void on_event(void *user, const echonet_ctl_event *ev)
{
    (void)user;
    (void)ev;
}

static void fail(const char *what)
{
    fprintf(stderr, "make_seeds: %s\n", what);
    exit(1);
}

static void add_dev(unsigned addr_len, unsigned n_obj, uint8_t max_opc)
{
    static const uint8_t maker[3] = {0xFF, 0xFF, 0xF0}, keep[] = {0x83, 0x86, 0x89, 0x93};
    struct dev *d = &devs[n_devs];
    echonet_node_config cfg = {{0xFF, 0xFF, 0xF0}, {0}, 0};
    uint8_t a[16];
    echonet_propmap omit;
    unsigned i;

    cfg.unique_id[12] = (uint8_t)n_devs;
    cfg.max_opc = max_opc;
    for (i = 0; i < addr_len; i++)
        a[i] = (uint8_t)(i == addr_len - 1 ? 10 + n_devs : (addr_len == 4 ? 192 - 24 * i : 0xFE - i));
    echonet_addr_set(&d->addr, a, addr_len);
    echonet_aircon_omit(&omit, keep, sizeof keep);
    if (echonet_node_init(&d->node, &cfg, d->slots, 2, d->queue, 4) != ECHONET_OK)
        fail("node init");
    for (i = 0; i < n_obj; i++) {
        if (echonet_aircon_init(&d->ac[i], maker) != ECHONET_OK ||
            echonet_aircon_object_init(&d->obj[i], 0x013001 + i, i ? NULL : &omit, &echonet_aircon_ops, &d->ac[i]) != ECHONET_OK ||
            echonet_node_add(&d->node, &d->obj[i]) != ECHONET_OK)
            fail("object");
    }
    d->n_obj = n_obj;
    n_devs++;
}

static bool all_ready(void)
{
    unsigned i, k;

    for (i = 0; i < n_devs; i++) {
        uint16_t n = echonet_ctl_find(&ctl, &devs[i].addr);

        for (k = 0; k < devs[i].n_obj; k++)
            if (n == ECHONET_CTL_NONE || !echonet_ctl_object_ready(&ctl, n, 0x013001 + k))
                return false;
    }
    return true;
}

/* Discovery over an in-process network until every object is ready. */
static void discover(void)
{
    static const uint8_t me[4] = {192, 168, 0, 2};
    echonet_addr self, dst;
    echonet_ctl_config cfg;
    echonet_ctl_callbacks cb = {on_event};
    echonet_tstamp now = 0;
    uint8_t buf[1500];
    bool mc;
    int32_t n;
    unsigned i, steps;

    echonet_addr_set(&self, me, 4);
    echonet_ctl_config_default(&cfg);
    cfg.first_tid = 0x1234;
    if (echonet_ctl_init(&ctl, &cfg, &cb, NULL, &st) != ECHONET_OK)
        fail("ctl init");
    for (steps = 0; steps < 10000 && !all_ready(); steps++) {
        echonet_tstamp t;

        while ((n = echonet_ctl_write(&ctl, &dst, &mc, buf, sizeof buf, now)) > 0)
            for (i = 0; i < n_devs; i++)
                if (mc || echonet_addr_equal(&dst, &devs[i].addr))
                    (void)echonet_node_read(&devs[i].node, &self, buf, (size_t)n);
        for (i = 0; i < n_devs; i++)
            while ((n = echonet_node_write(&devs[i].node, &dst, &mc, buf, sizeof buf, now)) > 0)
                (void)echonet_ctl_read(&ctl, &devs[i].addr, buf, (size_t)n, now);
        t = echonet_ctl_expiry(&ctl);
        for (i = 0; i < n_devs; i++)
            if (echonet_node_expiry(&devs[i].node) < t)
                t = echonet_node_expiry(&devs[i].node);
        now = t > now ? t : now;
    }
    if (!all_ready())
        fail("discovery did not finish");
}

static void write_seed(const char *name, uint8_t flags, const uint8_t *snap, size_t len, const uint8_t *script,
                       size_t n_script)
{
    char path[1024];
    uint8_t head[3] = {flags, (uint8_t)(len >> 8), (uint8_t)len};
    FILE *fp;

    snprintf(path, sizeof path, "%s/seed-%s", dir, name);
    fp = fopen(path, "wb");
    if (!fp || fwrite(head, 1, 3, fp) != 3 || fwrite(snap, 1, len, fp) != len ||
        fwrite(script, 1, n_script, fp) != n_script || fclose(fp) != 0)
        fail(path);
}

int main(int argc, char **argv)
{
    /* Time, a read, an answer, a write, an answer, time, the line down and up, a probe. */
    static const uint8_t script[] = {0x00, 0x02, 0x04, 0x3B, 0x02, 0x00, 0x02, 0x00, 0x41, 0x05, 0x31, 0x18,
                                     0x02, 0x00, 0x01, 0x30, 0x00, 0x00, 0xFF, 0x06, 0x0E, 0x0F, 0x01, 0x10};
    static const struct {
        const char *name;
        unsigned devs, addr_len, objs;
        uint8_t max_opc, flags;
    } kinds[] = {
        {"empty", 0, 4, 1, 0, 0},       {"one", 1, 4, 1, 0, 0},        {"one-remote", 1, 4, 1, 0, 1},
        {"two-ipv6", 2, 16, 2, 2, 1},   {"six", 6, 4, 1, 1, 0},        {"seven-full", 7, 4, 1, 0, 0},
    };
    uint8_t snap[4096];
    size_t len, k;
    unsigned i;

    if (argc != 2)
        fail("usage: fuzz-make-seeds DIR");
    dir = argv[1];
    for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        n_devs = 0;
        for (i = 0; i < kinds[k].devs; i++)
            add_dev(kinds[k].addr_len, i == 0 ? kinds[k].objs : 1, kinds[k].max_opc);
        discover();
        if (echonet_ctl_save(&ctl, snap, sizeof snap, &len) != ECHONET_OK)
            fail("save");
        write_seed(kinds[k].name, kinds[k].flags, snap, len, script, sizeof script);
        if (k == 3) {
            /* Refused: truncated; an object that is no device (class group
             * 0x0E, a profile; CRC fixed by flag 0x02). */
            write_seed("truncated", 0, snap, len - 7, script, sizeof script);
            snap[len - 4 - 65 + 2] = 0x0E; /* (an object is 65 bytes) */
            write_seed("bad-class", 2, snap, len, script, sizeof script);
        }
    }
    return 0;
}

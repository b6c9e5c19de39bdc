/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * The code of doc/controller.md: a HEMS controller that finds an air
 * conditioner, reads it, switches it on to cool at 26 °C, saves its
 * knowledge and restores it into a second controller. The "network" is two
 * function calls: what the controller writes goes to an air conditioner
 * built from the library's own device side, and back. The test suite builds
 * and runs this program ('guide controller'); it exits 0 only when every
 * step happened.
 */
#include <stdio.h>
#include <string.h>

#include <echonet/echonet.h>

/* guide:storage */
/* Room for 4 nodes (IP hosts), 8 air-conditioner objects, 4 operations at a
 * time, an address index of 8 entries (a power of two, at least twice the
 * nodes). ECHONET_CTL_STORAGE declares the arrays statically. */
ECHONET_CTL_STORAGE(ctl_mem, 4, 8, 4, 8);
ECHONET_CTL_STORAGE(ctl2_mem, 4, 8, 4, 8);
/* end guide:storage */

/* The air conditioner on the other side of the "network". */
static echonet_node unit_node;
static echonet_object unit_object;
static echonet_object *unit_slots[1];
static echonet_node_request unit_queue[2];
static echonet_aircon unit_model;
static echonet_addr ctl_addr, unit_addr;

/* guide:events */
struct app {
    int found, ready, done, properties;
    echonet_ctl_outcome outcome;
    uint16_t node;
    echonet_eoj eoj;
};

/* Called from inside the controller: note what happened, call nothing that
 * changes the controller (queries such as echonet_ctl_object_info() are fine). */
static void on_event(void *user, const echonet_ctl_event *ev)
{
    struct app *app = user;

    switch (ev->kind) {
    case ECHONET_CTL_EV_FOUND:
        app->found++;
        app->node = ev->node;
        app->eoj = ev->eoj;
        printf("found %06lX on node %u\n", (unsigned long)ev->eoj, (unsigned)ev->node);
        break;
    case ECHONET_CTL_EV_READY:
        app->ready++;
        printf("ready %06lX\n", (unsigned long)ev->eoj);
        break;
    case ECHONET_CTL_EV_PROPERTY:
        app->properties++;
        if (ev->changed && ev->pdc == 1)
            printf("  %06lX EPC %02X = %02X\n", (unsigned long)ev->eoj, ev->epc, ev->edt[0]);
        break;
    case ECHONET_CTL_EV_DONE:
        app->done++;
        app->outcome = ev->outcome;
        printf("operation %u ended: outcome %d\n", (unsigned)ev->op, (int)ev->outcome);
        break;
    default:
        break;
    }
}
/* end guide:events */

/* The device side of the "network": a datagram for the air conditioner. */
static void to_unit(const uint8_t *buf, size_t len)
{
    (void)echonet_node_read(&unit_node, &ctl_addr, buf, len);
}

/* guide:loop */
/* The unit's side: answer everything it has queued, straight back to the
 * controller. */
static void unit_answers(echonet_ctl *ctl, echonet_tstamp now)
{
    uint8_t buf[256];
    echonet_addr dst;
    bool multicast;
    int32_t n;

    while ((n = echonet_node_write(&unit_node, &dst, &multicast, buf, sizeof buf, now)) > 0)
        (void)echonet_ctl_read(ctl, &unit_addr, buf, (size_t)n, now);
}

/* One turn of the event loop: send every datagram the controller has for
 * now (here: hand it to the unit, which answers at once); return the next
 * deadline. In firmware, the loop body is the UDP send path, and
 * echonet_ctl_read() is called from the receive path. */
static echonet_tstamp turn(echonet_ctl *ctl, echonet_tstamp now)
{
    uint8_t buf[ECHONET_CTL_WRITE_MAX];
    echonet_addr dst;
    bool multicast;
    int32_t n;

    unit_answers(ctl, now);
    while ((n = echonet_ctl_write(ctl, &dst, &multicast, buf, sizeof buf, now)) > 0) {
        if (multicast || echonet_addr_equal(&dst, &unit_addr))
            to_unit(buf, (size_t)n);
        unit_answers(ctl, now);
    }
    return echonet_ctl_expiry(ctl);
}

/* Run the loop until the clock reaches 'until', jumping from deadline to
 * deadline (a firmware would sleep until the deadline or the next datagram). */
static echonet_tstamp run_until(echonet_ctl *ctl, echonet_tstamp now, echonet_tstamp until)
{
    while (now < until) {
        echonet_tstamp next = turn(ctl, now), t = echonet_node_expiry(&unit_node);

        if (t < next)
            next = t;
        now = next < until ? (next > now ? next : now + 1) : until;
    }
    (void)turn(ctl, now);
    return now;
}
/* end guide:loop */

static int setup_unit(void)
{
    static const uint8_t maker[3] = {0x00, 0x00, 0x0B};
    echonet_node_config cfg;
    echonet_propmap omit;

    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.manufacturer, maker, 3);
    echonet_aircon_omit(&omit, NULL, 0);
    if (echonet_aircon_init(&unit_model, maker) != ECHONET_OK ||
        echonet_aircon_object_init(&unit_object, ECHONET_EOJ(0x01, 0x30, 0x01), &omit, &echonet_aircon_ops,
                                   &unit_model) != ECHONET_OK ||
        echonet_node_init(&unit_node, &cfg, unit_slots, 1, unit_queue, 2) != ECHONET_OK ||
        echonet_node_add(&unit_node, &unit_object) != ECHONET_OK)
        return -1;
    return 0;
}

int main(void)
{
    static uint8_t snapshot[512];
    static const uint8_t ip_ctl[4] = {192, 168, 1, 10}, ip_unit[4] = {192, 168, 1, 20};
    struct app app, app2;
    echonet_ctl ctl, ctl2;
    echonet_tstamp now = 0;
    size_t snap_len = 0;
    uint8_t state[3];

    memset(&app, 0, sizeof app);
    memset(&app2, 0, sizeof app2);
    if (echonet_addr_set(&ctl_addr, ip_ctl, 4) != ECHONET_OK || echonet_addr_set(&unit_addr, ip_unit, 4) != ECHONET_OK ||
        setup_unit() != 0)
        return 1;

    /* guide:init */
    {
        echonet_ctl_config cfg;
        echonet_ctl_callbacks cb = {on_event};

        echonet_ctl_config_default(&cfg);  /* AIF values: 20 s timer, 4 properties a request */
        cfg.first_tid = 0x1234;            /* firmware: seed from something that changes per boot */
        if (echonet_ctl_init(&ctl, &cfg, &cb, &app, &ctl_mem) != ECHONET_OK)
            return 1;
    }
    /* end guide:init */

    /* guide:discover */
    /* The first writes are the multicast searches; the unit answers, and the
     * controller reads its maps, identification and state on its own. */
    now = run_until(&ctl, now, ECHONET_SECONDS(5));
    if (app.found != 1 || app.ready != 1)
        return 2;
    /* end guide:discover */

    /* guide:get */
    {
        static const uint8_t epcs[] = {ECHONET_EPC_OPERATION_STATUS, ECHONET_EPC_MODE, ECHONET_EPC_SET_TEMPERATURE};
        uint16_t op;

        if (echonet_ctl_get(&ctl, app.node, app.eoj, epcs, sizeof epcs, &op) != ECHONET_OK)
            return 3;
        now = run_until(&ctl, now, now + ECHONET_SECONDS(1));
        if (app.done != 1 || app.outcome != ECHONET_CTL_DONE)
            return 3;
    }
    /* end guide:get */

    /* guide:set */
    {
        static const uint8_t on = ECHONET_ON, cool = ECHONET_MODE_COOL, t26 = 26;
        const echonet_prop props[] = {
            {ECHONET_EPC_SET_TEMPERATURE, 1, &t26}, /* sent after 0x80 and 0xB0 (AIF 5.1 ⑦) */
            {ECHONET_EPC_OPERATION_STATUS, 1, &on},
            {ECHONET_EPC_MODE, 1, &cool},
        };
        static const uint8_t t60 = 60;
        const echonet_prop too_hot = {ECHONET_EPC_SET_TEMPERATURE, 1, &t60};

        /* Out of the class range: refused at once, nothing is sent. */
        if (echonet_ctl_set(&ctl, app.node, app.eoj, &too_hot, 1, NULL) != ECHONET_ERR_VALUE)
            return 4;
        if (echonet_ctl_set(&ctl, app.node, app.eoj, props, 3, NULL) != ECHONET_OK)
            return 4;
        now = run_until(&ctl, now, now + ECHONET_SECONDS(1));
        if (app.done != 2 || app.outcome != ECHONET_CTL_DONE)
            return 4;
    }
    /* end guide:set */

    /* The unit itself agrees: it is on, cooling, at 26 °C. */
    if (echonet_aircon_value(&unit_model, ECHONET_EPC_OPERATION_STATUS, &state[0], 1) != 1 ||
        echonet_aircon_value(&unit_model, ECHONET_EPC_MODE, &state[1], 1) != 1 ||
        echonet_aircon_value(&unit_model, ECHONET_EPC_SET_TEMPERATURE, &state[2], 1) != 1 ||
        state[0] != ECHONET_ON || state[1] != ECHONET_MODE_COOL || state[2] != 26)
        return 5;

    /* guide:snapshot */
    /* Save what discovery learned (to flash, in firmware) ... */
    if (echonet_ctl_save(&ctl, snapshot, sizeof snapshot, &snap_len) != ECHONET_OK)
        return 6;
    /* ... and after a reboot, restore it into a fresh controller: the unit is
     * known at once (READY), its attributes are re-read, and it can be operated. */
    {
        echonet_ctl_config cfg;
        echonet_ctl_callbacks cb = {on_event};
        echonet_ctl_state st;
        static const uint8_t temp_epc = ECHONET_EPC_SET_TEMPERATURE;

        echonet_ctl_config_default(&cfg);
        if (echonet_ctl_init(&ctl2, &cfg, &cb, &app2, &ctl2_mem) != ECHONET_OK ||
            echonet_ctl_restore(&ctl2, snapshot, snap_len, now) != ECHONET_OK)
            return 6;
        if (echonet_ctl_find(&ctl2, &unit_addr) != app.node || !echonet_ctl_object_ready(&ctl2, app.node, app.eoj))
            return 7;
        /* Usable at once: read the set temperature through the new controller. */
        if (echonet_ctl_get(&ctl2, app.node, app.eoj, &temp_epc, 1, NULL) != ECHONET_OK)
            return 8;
        now = run_until(&ctl2, now, now + ECHONET_SECONDS(5));
        if (echonet_ctl_object_info(&ctl2, app.node, app.eoj, &st, NULL, NULL, NULL) != ECHONET_OK ||
            !(st.valid & ECHONET_CTL_S_TEMP) || st.temp != 26)
            return 9;
    }
    /* end guide:snapshot */
    printf("snapshot: %zu bytes; restored controller sees 26 °C\n", snap_len);
    return 0;
}

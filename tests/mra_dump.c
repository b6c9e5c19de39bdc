/* What the compiled library says about the device classes, for
 * tests/check-mra.py (which compares it with its own reading of the MRA).
 *
 * usage: mra-dump list       one line per class and property:
 *                            CODE EPC ACCESS SIZE SIZE_ALT (hex; SIZE_ALT FF: 1..SIZE)
 *        mra-dump check      reads lines "CODE EPC SET HEX" (SET 1 for a
 *                            value to write, 0 for one read) and answers
 *                            each with ok, value, size or none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/classes.h"
#include "echonet/propdesc.h"

static const echonet_prop_desc *find(unsigned code, unsigned epc)
{
    return echonet_class_desc(echonet_class_find((uint16_t)code), (uint8_t)epc);
}

static int list(void)
{
    const echonet_class *c;
    size_t i, j;

    for (i = 0; (c = echonet_class_at(i)) != NULL; i++) {
        if (echonet_prop_desc_validate(c->props, c->n_props) != ECHONET_OK) {
            printf("%04X invalid\n", c->code);
            continue;
        }
        for (j = 0; j < c->n_props; j++)
            printf("%04X %02X %02X %02X %02X\n", c->code, c->props[j].epc, c->props[j].access, c->props[j].size,
                   c->props[j].size_alt);
    }
    return 0;
}

static int check(void)
{
    char line[1200];

    while (fgets(line, sizeof line, stdin)) {
        unsigned code, epc, set;
        int at = 0;
        uint8_t edt[512];
        size_t n = 0;
        const char *p;
        const echonet_prop_desc *d;
        echonet_err err;

        if (sscanf(line, "%x %x %u %n", &code, &epc, &set, &at) != 3) {
            fprintf(stderr, "mra-dump: bad line: %s", line);
            return 2;
        }
        for (p = line + at; p[0] && p[1] && p[0] != '\n' && n < sizeof edt; p += 2) {
            unsigned b;

            if (sscanf(p, "%2x", &b) != 1)
                break;
            edt[n++] = (uint8_t)b;
        }
        d = find(code, epc);
        if (!d) {
            puts("none");
            continue;
        }
        err = echonet_prop_desc_check(d, edt, n, set != 0);
        puts(err == ECHONET_OK ? "ok" : err == ECHONET_ERR_VALUE_SIZE ? "size" : "value");
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        return list();
    if (argc == 2 && strcmp(argv[1], "check") == 0)
        return check();
    fprintf(stderr, "usage: mra-dump list | check\n");
    return 2;
}

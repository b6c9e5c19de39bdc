/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/propmap.h"

#include <string.h>

#include "propmap_internal.h"

void echonet_propmap_init(echonet_propmap *map)
{
    if (map)
        memset(map->bits, 0, sizeof map->bits);
}

echonet_err echonet_propmap_add(echonet_propmap *map, uint8_t epc)
{
    if (!map)
        return ECHONET_ERR_INVALID_ARG;
    if (epc < 0x80u)
        return ECHONET_ERR_EPC;
    map->bits[EPC_BYTE(epc)] = (uint8_t)(map->bits[EPC_BYTE(epc)] | EPC_BIT(epc));
    return ECHONET_OK;
}

void echonet_propmap_remove(echonet_propmap *map, uint8_t epc)
{
    if (map && epc >= 0x80u)
        map->bits[EPC_BYTE(epc)] = (uint8_t)(map->bits[EPC_BYTE(epc)] & ~EPC_BIT(epc));
}

bool echonet_propmap_contains(const echonet_propmap *map, uint8_t epc)
{
    return map && propmap_has(map, epc);
}

static unsigned popcount8(uint8_t b)
{
    unsigned n = 0;

    for (; b; b = (uint8_t)(b & (b - 1u)))
        n++;
    return n;
}

unsigned echonet_propmap_count(const echonet_propmap *map)
{
    unsigned i, n = 0;

    if (!map)
        return 0;
    for (i = 0; i < sizeof map->bits; i++)
        n += popcount8(map->bits[i]);
    return n;
}

unsigned echonet_propmap_next(const echonet_propmap *map, unsigned from)
{
    unsigned epc;

    if (!map)
        return ECHONET_PROPMAP_END;
    for (epc = from < 0x80u ? 0x80u : from; epc <= 0xFFu; epc++)
        if (map->bits[EPC_BYTE(epc)] & EPC_BIT(epc))
            return epc;
    return ECHONET_PROPMAP_END;
}

echonet_err echonet_propmap_encode(const echonet_propmap *map, uint8_t *buf, size_t cap, size_t *len)
{
    unsigned count, epc;
    size_t need, n = 1;

    if (len)
        *len = 0;
    if (!map || (!buf && cap > 0))
        return ECHONET_ERR_INVALID_ARG;
    count = echonet_propmap_count(map);
    need = count < ECHONET_PROPMAP_BITMAP_MIN ? 1u + count : ECHONET_PROPMAP_MAX_LEN;
    if (len)
        *len = need;
    if (cap < need)
        return ECHONET_ERR_NOBUF;
    buf[0] = (uint8_t)count;
    if (count >= ECHONET_PROPMAP_BITMAP_MIN) {
        memcpy(buf + 1, map->bits, sizeof map->bits);
        return ECHONET_OK;
    }
    for (epc = echonet_propmap_next(map, 0x80u); epc != ECHONET_PROPMAP_END; epc = echonet_propmap_next(map, epc + 1u))
        buf[n++] = (uint8_t)epc;
    return ECHONET_OK;
}

echonet_err echonet_propmap_decode(echonet_propmap *map, const uint8_t *edt, size_t pdc)
{
    echonet_propmap m;
    unsigned count;
    size_t i, listed;

    if (!map || (!edt && pdc > 0))
        return ECHONET_ERR_INVALID_ARG;
    echonet_propmap_init(map);
    if (pdc == 0)
        return ECHONET_ERR_PROPMAP_LENGTH;
    count = edt[0];
    if (count > 128u)
        return ECHONET_ERR_PROPMAP_INCONSISTENT;
    echonet_propmap_init(&m);
    if (count >= ECHONET_PROPMAP_BITMAP_MIN) {
        /* Bitmap form: all 16 bytes are needed; extra bytes are tolerated. */
        if (pdc < ECHONET_PROPMAP_MAX_LEN)
            return ECHONET_ERR_PROPMAP_LENGTH;
        memcpy(m.bits, edt + 1, sizeof m.bits);
        if (echonet_propmap_count(&m) != count)
            return ECHONET_ERR_PROPMAP_INCONSISTENT;
    } else {
        /* List form: min(count, PDC - 1) EPCs, as devices with inaccurate
         * PDCs need (reference 5). */
        listed = pdc - 1 < count ? pdc - 1 : count;
        for (i = 1; i <= listed; i++) {
            if (edt[i] < 0x80u || echonet_propmap_contains(&m, edt[i]))
                return ECHONET_ERR_PROPMAP_INCONSISTENT;
            (void)echonet_propmap_add(&m, edt[i]);
        }
    }
    *map = m;
    return ECHONET_OK;
}

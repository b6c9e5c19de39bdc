/*
 * A program outside the tree, built by tests/install-test.sh against the
 * installed libechonet with nothing but `pkg-config echonet`. It exits 0
 * only if the headers, the version macros and the library agree.
 */
#include <echonet/echonet.h>

#include <stdio.h>
#include <string.h>

#if !defined(ECHONET_VERSION_NUMBER) || !defined(ECHONET_ENABLE_ERROR_STRINGS)
#error "installed headers lack version.h or config.h"
#endif

static int fail(const char *what)
{
    fprintf(stderr, "install_consumer: %s\n", what);
    return 1;
}

int main(void)
{
    /* Reference 3.5: Get_Res from air conditioner 013001 to controller 05FF01. */
    static const uint8_t get_res[] = {0x10, 0x81, 0x00, 0x01, 0x01, 0x30, 0x01,
                                      0x05, 0xFF, 0x01, 0x72, 0x03, 0x80, 0x01,
                                      0x30, 0xB0, 0x01, 0x42, 0xB3, 0x01, 0x1A};
    /* Reference 5: a Get map of 17 properties, in bitmap form. */
    static const uint8_t get_map[] = {0x11, 0x0D, 0x01, 0x01, 0x0B, 0x00, 0x00,
                                      0x01, 0x00, 0x01, 0x01, 0x01, 0x08, 0x00,
                                      0x02, 0x02, 0x03};
    char version[32];
    echonet_frame frame;
    echonet_prop prop;
    echonet_propmap map;
    uint8_t edt[ECHONET_PROPMAP_MAX_LEN];
    size_t len = 0;
    int32_t used;

    snprintf(version, sizeof version, "%d.%d.%d", ECHONET_VERSION_MAJOR,
             ECHONET_VERSION_MINOR, ECHONET_VERSION_PATCH);
    if (strcmp(version, ECHONET_VERSION_STRING) != 0)
        return fail("ECHONET_VERSION_STRING disagrees with the version numbers");
    if (ECHONET_VERSION_NUMBER != ((ECHONET_VERSION_MAJOR << 16) |
                                   (ECHONET_VERSION_MINOR << 8) | ECHONET_VERSION_PATCH))
        return fail("ECHONET_VERSION_NUMBER is wrong");

    used = echonet_frame_decode(&frame, get_res, sizeof get_res, NULL);
    if (used != (int32_t)sizeof get_res)
        return fail("echonet_frame_decode rejected the worked Get_Res");
    if (frame.format != 1 || frame.tid != 1 || frame.esv != ECHONET_ESV_GET_RES ||
        frame.seoj != ECHONET_EOJ(0x01, 0x30, 0x01) || frame.deoj != ECHONET_EOJ_CONTROLLER ||
        frame.opc != 3)
        return fail("decoded header fields are wrong");
    if (!echonet_prop_find(frame.props, 0xB3, &prop) || prop.pdc != 1 || prop.edt[0] != 0x1A)
        return fail("property 0xB3 (set temperature 26) not found");
    if (strcmp(echonet_esv_name(frame.esv), ECHONET_ENABLE_ERROR_STRINGS ? "Get_Res" : "") != 0)
        return fail("echonet_esv_name disagrees with config.h");

    if (echonet_propmap_decode(&map, get_map, sizeof get_map) != ECHONET_OK)
        return fail("echonet_propmap_decode rejected the worked map");
    if (echonet_propmap_count(&map) != 17 || !echonet_propmap_contains(&map, 0xBB) ||
        echonet_propmap_contains(&map, 0xBA))
        return fail("decoded property map has the wrong members");
    if (echonet_propmap_encode(&map, edt, sizeof edt, &len) != ECHONET_OK ||
        len != sizeof get_map || memcmp(edt, get_map, len) != 0)
        return fail("property map does not encode back to the same bytes");

    printf("install_consumer: libechonet %s (0x%06X), error strings %s: OK\n",
           ECHONET_VERSION_STRING, (unsigned)ECHONET_VERSION_NUMBER,
           ECHONET_ENABLE_ERROR_STRINGS ? "on" : "off");
    return 0;
}

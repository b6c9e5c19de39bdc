/*
 * The umbrella header compiles as C++ and its declarations have C linkage:
 * the calls below link only if ECHONET_BEGIN_DECLS wraps them in extern "C".
 */
#include <echonet/echonet.h>

#include <cstring>

int main()
{
    echonet_propmap map;
    echonet_propmap_init(&map);
    if (echonet_propmap_add(&map, 0x80) != ECHONET_OK || echonet_propmap_add(&map, 0xB0) != ECHONET_OK)
        return 1;
    if (!echonet_propmap_contains(&map, 0xB0) || echonet_propmap_count(&map) != 2)
        return 1;

    const char *name = echonet_esv_name(ECHONET_ESV_GET_RES);
    const char *expected = ECHONET_ENABLE_ERROR_STRINGS ? "Get_Res" : "";
    if (name == nullptr || std::strcmp(name, expected) != 0)
        return 1;

    return echonet_esv_response(ECHONET_ESV_GET) == ECHONET_ESV_GET_RES ? 0 : 1;
}

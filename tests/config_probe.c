/* Compiled by tests/config-errors.sh with -D overrides of config.h: the
 * umbrella header (and controller.h on request) must stop an impossible
 * configuration with its #error, and compile a sound one. */
#include "echonet/echonet.h"
#ifdef PROBE_CONTROLLER_H
#include "echonet/controller.h"
#endif
#ifdef PROBE_STATIC_ASSERT
#include "static_assert.h"
ECHONET_STATIC_ASSERT(PROBE_STATIC_ASSERT, probe_condition_holds);
#endif

int config_probe(void);

int config_probe(void)
{
    return ECHONET_ADDR_MAX + ECHONET_CTL_BATCH_MAX + ECHONET_ENABLE_ERROR_STRINGS;
}

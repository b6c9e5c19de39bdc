/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: class profiles (ctl_profile.c), what the controller does
 * differently per device class: what it reads at discovery and polls,
 * which table values are checked against, in what order a write's
 * properties go, whether the AIF's remote-operation rules apply. Two
 * profiles today: the home air conditioner of the AIF spec (0x0130), and
 * the generic one every other device class gets (issue 14). A class of
 * its own (issue 15) becomes a row here, not a change to the parts that
 * use it. */
#ifndef ECHONET_LIB_CTL_PROFILE_H
#define ECHONET_LIB_CTL_PROFILE_H

#include "echonet/propdesc.h"
#include "ctl_internal.h"

typedef struct ctl_profile {
    /* The status read at discovery and after an object comes back (AIF
     * 3.3.1), in the order it is requested; the first n_poll are polled
     * where the announce map does not cover them, and re-read where it
     * does (5.4); the rest are constants (a meter's coefficient). */
    const uint8_t *status;
    uint8_t n_status;
    uint8_t n_poll;
    /* Written first, in this order (AIF 5.1 ⑦); the rest after, as given. */
    const uint8_t *write_first;
    uint8_t n_write_first;
    /* The fields of echonet_ctl_state (ECHONET_CTL_S_*) the class's
     * properties mean: an air conditioner's 0xB0 is its mode, a storage
     * battery's is something else. */
    uint8_t state_bits;
    /* The AIF's remote operation (0x93 prefix, 4.1; keepalive, 3.5) and
     * temperature probe (5.3) apply. */
    bool aif;
    /* The smart meter's fixed-time values and history (ctl_meter.c). */
    bool meter;
    /* The class's descriptor of a property (NULL: none): values written
     * are checked against it (AIF 2.4.5), values read believed only
     * within it. NULL: the table the application's
     * echonet_ctl_config::classes finds for the class. */
    const echonet_prop_desc *(*desc)(uint8_t epc);
} ctl_profile;

/* The profiles (ctl_profile.c): the air conditioner's, the whole house's
 * classes (issue 15), and the generic one of every other device class. */
extern const ctl_profile ctl_profile_aircon;
extern const ctl_profile ctl_profile_generic;

/* The profile of a class other than the air conditioner: its own (the
 * meter, PV, battery...) or the generic one. */
const ctl_profile *ctl_profile_of_class(uint16_t class_code);

/* The profile of an object, or NULL: not a device object to manage (the
 * node profile, a class group above 0x06, instance 0, and a controller
 * 0x05FF: another HEMS or a phone's app, not a device to operate).
 * Inline: asked for every value read. */
static inline const ctl_profile *ctl_profile_of(echonet_eoj eoj)
{
    if (ECHONET_EOJ_INSTANCE(eoj) == 0 || ECHONET_EOJ_GROUP(eoj) > 0x06u ||
        ECHONET_EOJ_CLASS(eoj) == ECHONET_CLASS_CONTROLLER)
        return NULL;
    return ECHONET_EOJ_CLASS(eoj) == ECHONET_CLASS_HOME_AIRCON ? &ctl_profile_aircon
                                                               : ctl_profile_of_class(ECHONET_EOJ_CLASS(eoj));
}

/* Whether the controller manages an object found: a device object the
 * application's filter (echonet_ctl_config::manage) accepts. */
bool ctl_manages(const echonet_ctl *ctl, echonet_eoj eoj);

/* The position of @p epc in a write (AIF 5.1 ⑦): its index in the
 * profile's write_first, else n_write_first. */
unsigned ctl_profile_write_rank(const ctl_profile *p, uint8_t epc);

/* The class table's description of @p epc of object @p eoj, or NULL.
 * @p known receives whether there is a class table at all (a class the
 * application's finder does not know has none: its values are raw bytes). */
const echonet_prop_desc *ctl_profile_desc(const echonet_ctl *ctl, const ctl_profile *p, echonet_eoj eoj, uint8_t epc,
                                          bool *known);

/* Whether a value may be believed: within the class table when the class
 * knows the property (read-only codes included). */
bool ctl_profile_plausible(const echonet_ctl *ctl, echonet_eoj eoj, uint8_t epc, const uint8_t *edt, size_t pdc);

#endif

/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: class profiles (ctl_profile.c), what the controller does
 * differently per device class: which objects it manages, what it reads
 * at discovery and polls, which table values are checked against, in what
 * order a write's properties go. Today one profile, the home air
 * conditioner of the AIF spec (0x0130); an object of a class without a
 * profile is not managed. Every class of issue 14 becomes a row here, not
 * a change to the parts that use it. */
#ifndef ECHONET_LIB_CTL_PROFILE_H
#define ECHONET_LIB_CTL_PROFILE_H

#include "echonet/propdesc.h"
#include "ctl_internal.h"

typedef struct ctl_profile {
    uint16_t class_code;
    /* The status read at discovery, polled and re-read (AIF 3.3.1, 5.4),
     * in the order it is requested. */
    const uint8_t *status;
    uint8_t n_status;
    /* Written first, in this order (AIF 5.1 ⑦); the rest after, as given. */
    const uint8_t *write_first;
    uint8_t n_write_first;
    /* The class's descriptor of a property (NULL: none): values written
     * are checked against it (AIF 2.4.5), values read believed only
     * within it. */
    const echonet_prop_desc *(*desc)(uint8_t epc);
} ctl_profile;

/* The profiles (ctl_profile.c). */
extern const ctl_profile ctl_profile_aircon;

/* The profile of an object, or NULL: not managed (a class without a
 * profile, the node profile, instance 0). Inline: asked for every value
 * read. */
static inline const ctl_profile *ctl_profile_of(echonet_eoj eoj)
{
    if (ECHONET_EOJ_INSTANCE(eoj) == 0)
        return NULL;
    return ECHONET_EOJ_CLASS(eoj) == ctl_profile_aircon.class_code ? &ctl_profile_aircon : NULL;
}

/* The position of @p epc in a write (AIF 5.1 ⑦): its index in the
 * profile's write_first, else n_write_first. */
unsigned ctl_profile_write_rank(const ctl_profile *p, uint8_t epc);

/* Whether a value may be believed: within the class table when the class
 * knows the property (read-only codes included). */
bool ctl_profile_plausible(const ctl_profile *p, uint8_t epc, const uint8_t *edt, size_t pdc);

#endif

/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file eoj.h
 * @brief ECHONET objects (EOJ): class group, class, instance.
 *
 * @defgroup eoj Objects (EOJ)
 * @brief The three-byte object identifier X1.X2 X3 held in one integer.
 *
 * An EOJ is kept as a @ref echonet_eoj, the three bytes as a number
 * 0x00GGCCII: class group (X1), class (X2), instance (X3). The class code is
 * the 16-bit value 0xGGCC, e.g. 0x0130 for the home air conditioner.
 * @{
 */
#ifndef ECHONET_EOJ_H
#define ECHONET_EOJ_H

#include <stdbool.h>
#include <stdint.h>

#include "echonet/common.h"

ECHONET_BEGIN_DECLS

/** @brief An EOJ as 0x00GGCCII (class group, class, instance). */
typedef uint32_t echonet_eoj;

/** @brief Builds an EOJ from class group @p g, class @p c and instance @p i. */
#define ECHONET_EOJ(g, c, i) \
    ((echonet_eoj)((((uint32_t)(g) & 0xFFu) << 16) | (((uint32_t)(c) & 0xFFu) << 8) | ((uint32_t)(i) & 0xFFu)))
/** @brief Builds an EOJ from a 16-bit class code @p cls (0xGGCC) and instance @p i. */
#define ECHONET_EOJ_OF_CLASS(cls, i) \
    ((echonet_eoj)((((uint32_t)(cls) & 0xFFFFu) << 8) | ((uint32_t)(i) & 0xFFu)))
/** @brief The class group code X1 of @p eoj. */
#define ECHONET_EOJ_GROUP(eoj) ((uint8_t)(((eoj) >> 16) & 0xFFu))
/** @brief The 16-bit class code 0xGGCC of @p eoj. */
#define ECHONET_EOJ_CLASS(eoj) ((uint16_t)(((eoj) >> 8) & 0xFFFFu))
/** @brief The instance code X3 of @p eoj. */
#define ECHONET_EOJ_INSTANCE(eoj) ((uint8_t)((eoj) & 0xFFu))

/** @brief Instance code 0x00: every instance of the class. */
#define ECHONET_INSTANCE_ALL 0x00u
/** @brief Class code of the node profile (class group 0x0E, class 0xF0). */
#define ECHONET_CLASS_NODE_PROFILE 0x0EF0u
/** @brief Class code of the controller (0x05FF). */
#define ECHONET_CLASS_CONTROLLER 0x05FFu
/** @brief Class code of the home air conditioner (0x0130). */
#define ECHONET_CLASS_HOME_AIRCON 0x0130u
/** @brief Node profile addressed as "all instances" (0x0EF000). */
#define ECHONET_EOJ_NODE_PROFILE_ALL ((echonet_eoj)0x0EF000u)
/** @brief Node profile of a general node (0x0EF001). */
#define ECHONET_EOJ_NODE_PROFILE ((echonet_eoj)0x0EF001u)
/** @brief Node profile of a transmission-only node (0x0EF002). */
#define ECHONET_EOJ_NODE_PROFILE_TX_ONLY ((echonet_eoj)0x0EF002u)
/** @brief The first controller object (0x05FF01). */
#define ECHONET_EOJ_CONTROLLER ((echonet_eoj)0x05FF01u)

/**
 * @brief Whether @p eoj names a node profile object (0x0EF000, 0x0EF001 or 0x0EF002).
 *
 * A node answers a request to any of the three as to its own node profile
 * (reference 3.4 rule 5).
 * @param eoj the object.
 * @return true for the three node-profile spellings.
 */
ECHONET_API bool echonet_eoj_is_node_profile(echonet_eoj eoj);

/**
 * @brief Whether a destination EOJ @p target addresses the object @p eoj.
 *
 * True when both are the same object, or when @p target has instance code
 * 0x00 ("all instances") and the same class as @p eoj. The node-profile
 * spellings of echonet_eoj_is_node_profile() all address each other.
 * @param target the DEOJ of a request.
 * @param eoj an object of the node (never instance 0x00).
 * @return true when a request to @p target is for @p eoj.
 */
ECHONET_API bool echonet_eoj_matches(echonet_eoj target, echonet_eoj eoj);

/**
 * @brief Reads an EOJ from three bytes in wire order (X1, X2, X3).
 * @param p three readable bytes; must not be NULL.
 * @return the EOJ as 0x00GGCCII.
 */
ECHONET_API echonet_eoj echonet_eoj_read(const uint8_t *p);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_EOJ_H */

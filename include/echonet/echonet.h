/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file echonet.h
 * @brief Umbrella header: includes every public header of libechonet.
 */
#ifndef ECHONET_ECHONET_H
#define ECHONET_ECHONET_H

#include "echonet/common.h"
#include "echonet/config.h"
#include "echonet/version.h"
#include "echonet/error.h"
#include "echonet/eoj.h"
#include "echonet/esv.h"
#include "echonet/frame.h"
#include "echonet/propmap.h"
#include "echonet/tstamp.h"
#include "echonet/addr.h"
#include "echonet/crc32.h"
#include "echonet/propdesc.h"
#include "echonet/node.h"
#include "echonet/aircon.h"
#include "echonet/classes.h"
#if ECHONET_ENABLE_CONTROLLER
#include "echonet/controller.h"
#endif
#include "echonet/energy.h"

#endif /* ECHONET_ECHONET_H */

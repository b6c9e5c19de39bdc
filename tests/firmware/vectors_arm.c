/*
 * Cortex-M vector table: the initial stack pointer and the reset handler
 * (the images take no interrupts).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>

extern uint32_t _estack[];
void fw_reset(void);

struct fw_vectors {
    uint32_t *initial_sp;
    void (*reset)(void);
};

__attribute__((section(".vectors"), used))
const struct fw_vectors fw_vectors = {_estack, fw_reset};

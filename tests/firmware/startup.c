/*
 * Reset code shared by the images: copy .data from flash, clear .bss, run
 * the image. The symbols come from the linker scripts (cortex-m.ld, rv32.ld).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>

#include "fw.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];

void fw_reset(void);

void fw_reset(void)
{
    volatile uint32_t *src = _sidata, *dst = _sdata;

    /* volatile: the loops must not turn into memcpy/memset before .data exists */
    while (dst < (volatile uint32_t *)_edata)
        *dst++ = *src++;
    for (dst = _sbss; dst < (volatile uint32_t *)_ebss; dst++)
        *dst = 0;
    fw_main();
    for (;;) {
    }
}

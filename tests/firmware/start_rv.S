/*
 * RISC-V entry: global pointer and stack, then the shared reset code.
 * SPDX-License-Identifier: MIT
 */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, _estack
    call fw_reset
1:  j 1b

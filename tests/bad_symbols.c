/*
 * Self-test of check-symbols.sh: a library that uses the heap and stdio,
 * which the script must reject, naming malloc and printf.
 */
#include <stdio.h>
#include <stdlib.h>

void *bad_symbols_alloc(size_t n);

void *bad_symbols_alloc(size_t n)
{
    void *p = malloc(n);
    printf("allocated %zu bytes at %p\n", n, p);
    return p;
}

/* Fails unless the machine running it stores integers in the byte order
 * named by argv[1] ("big" or "little", meson's host_machine.endian()), so a
 * cross build that claims a big-endian target really ran on one. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    const uint32_t word = 0x01020304u;
    unsigned char b[sizeof word];
    const char *actual;

    memcpy(b, &word, sizeof b);
    if (b[0] == 0x01 && b[1] == 0x02 && b[2] == 0x03 && b[3] == 0x04)
        actual = "big";
    else if (b[0] == 0x04 && b[1] == 0x03 && b[2] == 0x02 && b[3] == 0x01)
        actual = "little";
    else
        actual = "mixed";
    printf("byte order: %s\n", actual);
    if (argc != 2 || strcmp(argv[1], actual) != 0) {
        fprintf(stderr, "expected %s\n", argc == 2 ? argv[1] : "(no argument)");
        return 1;
    }
    return 0;
}

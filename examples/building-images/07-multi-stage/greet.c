/* A tiny command-line program: compiled in the build stage, run in the runtime stage. */
#include <stdio.h>

int main(int argc, char *argv[]) {
    const char *name = argc > 1 ? argv[1] : "world";
    printf("Hello, %s!\n", name);
    /* __VERSION__ is the version of the gcc that compiled this file, fixed at build time. */
    printf("(compiled by gcc %s when the image was built)\n", __VERSION__);
    return 0;
}

/* The lab's program: compiled in the build stage, alone in the final image. */
#include <stdio.h>

int main(void) {
    puts("Hello from scratch!");
    return 0;
}

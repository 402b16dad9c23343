/* Says which CPU architecture it was compiled for. */
#include <stdio.h>

int main(void) {
#if defined(__aarch64__)
    const char *arch = "arm64";
#elif defined(__x86_64__)
    const char *arch = "amd64";
#else
    const char *arch = "another CPU";
#endif
    printf("hello from %s\n", arch);
    return 0;
}

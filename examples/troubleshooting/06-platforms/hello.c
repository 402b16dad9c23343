/* Says which CPU architecture it was compiled for.
   With the argument "wait", keeps running until it is stopped, as a server would. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void stop(int signal_number) {
    (void)signal_number;
    exit(0);
}

int main(int argc, char **argv) {
#if defined(__aarch64__)
    const char *arch = "arm64";
#elif defined(__x86_64__)
    const char *arch = "amd64";
#else
    const char *arch = "another CPU";
#endif
    printf("hello from %s\n", arch);
    if (argc > 1 && strcmp(argv[1], "wait") == 0) {
        fflush(stdout);
        signal(SIGTERM, stop); /* PID 1 ignores SIGTERM unless it handles it: docker stop would wait 10 s */
        for (;;) pause();
    }
    return 0;
}

/* startup — time from exec to the first successful "GET /_ping" on 127.0.0.1:PORT.
 * usage: startup PORT TIMEOUT_MS command [args...]   (the environment is passed through)
 * Prints the elapsed microseconds, then stops the child (SIGTERM, SIGKILL after 2 s). Exit 1 when
 * the proxy does not answer 200 within TIMEOUT_MS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* One attempt: 1 when the answer starts with an HTTP 200 status line. */
static int ping(int port)
{
    static const char req[] = "GET /_ping HTTP/1.0\r\nHost: localhost\r\n\r\n";
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    int ok = 0;
    char buf[64];
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1)) {
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n >= 12) {
            buf[n] = 0;
            ok = !strncmp(buf, "HTTP/1.", 7) && !strncmp(buf + 9, "200", 3);
        }
    }
    close(fd);
    return ok;
}

static void stop(pid_t pid)
{
    kill(pid, SIGTERM);
    for (int i = 0; i < 200; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: startup PORT TIMEOUT_MS command [args...]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long long limit = atoll(argv[2]) * 1000;
    long long t0 = now_us();
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        execvp(argv[3], argv + 3);
        _exit(127);
    }
    long long dt = -1;
    while (now_us() - t0 < limit) {
        if (ping(port)) {
            dt = now_us() - t0;
            break;
        }
        /* 50 µs between attempts: fine enough, without starving the starting proxy of CPU. */
        nanosleep(&(struct timespec){0, 50000}, NULL);
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            fprintf(stderr, "startup: %s exited before answering\n", argv[3]);
            return 1;
        }
    }
    stop(pid);
    if (dt < 0) {
        fprintf(stderr, "startup: no 200 from port %d within %s ms\n", port, argv[2]);
        return 1;
    }
    printf("%lld\n", dt);
    return 0;
}

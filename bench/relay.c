/* bench/relay.c — the floor under any proxy on this machine: a blind relay that pairs each TCP
 * client with its own connection to the upstream's unix socket and copies bytes both ways with
 * recv/send. No HTTP parsing, no policy, no framing, no pooling, no timeouts: only the kernel work
 * that every proxy in this position must do (two socket reads, two socket writes and the wake-ups
 * they cause per request). bench/run.sh measures it next to sockwarden and HAProxy, so the report
 * shows how much of a proxy's CPU per request is its own.
 *
 * Usage: relay PORT UPSTREAM_SOCKET      (listens on 127.0.0.1:PORT; benchmark use only)
 * Writes block: a write to a full socket may stall the loop, which no benchmark answer comes close
 * to. Closes wait for the end of the epoll batch, whose other events may name the same sockets. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FD 65536

static int peer[MAX_FD];
static unsigned char dying[MAX_FD]; /* closed after the batch: its events in this one are stale */
static int doomed[512], ndoomed;

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4096) < 0) {
        perror("relay: listen");
        exit(1);
    }
    return fd;
}

static int connect_upstream(const char *path)
{
    struct sockaddr_un ua = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || strlen(path) >= sizeof ua.sun_path)
        return -1;
    strcpy(ua.sun_path, path);
    if (connect(fd, (struct sockaddr *)&ua, sizeof ua) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void watch(int ep, int fd)
{
    struct epoll_event ee = {.events = EPOLLIN, .data.fd = fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee);
}

static void accept_one(int ep, int l, const char *path)
{
    int c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0)
        return;
    int u = connect_upstream(path);
    if (u < 0 || c >= MAX_FD || u >= MAX_FD) {
        close(c);
        if (u >= 0)
            close(u);
        return;
    }
    peer[c] = u;
    peer[u] = c;
    watch(ep, c);
    watch(ep, u);
}

static void doom(int fd)
{
    if (!dying[fd] && ndoomed < (int)(sizeof doomed / sizeof doomed[0])) {
        dying[fd] = 1;
        doomed[ndoomed++] = fd;
    }
}

static void relay_once(int fd)
{
    static char buf[16384];
    if (dying[fd])
        return;
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EAGAIN)
        return;
    if (n <= 0 || send(peer[fd], buf, (size_t)n, MSG_NOSIGNAL) != n) {
        doom(fd);
        doom(peer[fd]);
    }
}

static void bury(void)
{
    for (int i = 0; i < ndoomed; i++) {
        dying[doomed[i]] = 0;
        close(doomed[i]); /* closing removes it from the epoll set */
    }
    ndoomed = 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: relay PORT UPSTREAM_SOCKET\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max < MAX_FD ? rl.rlim_max : MAX_FD;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int l = listen_on(atoi(argv[1])), ep = epoll_create1(EPOLL_CLOEXEC);
    watch(ep, l);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.fd == l)
                accept_one(ep, l, argv[2]);
            else
                relay_once(evs[i].data.fd);
        }
        bury();
    }
}

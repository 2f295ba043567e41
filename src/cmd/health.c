#include "cmd/health.h"
#include "os/net.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

static int dial(int family, const struct sockaddr *sa, socklen_t sl)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = 3};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, sa, sl) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int dial_unix(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    return dial(AF_UNIX, (struct sockaddr *)&sa, sizeof sa);
}

static int dial_tcp(const char *host, int port)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (net_tcp_addr(host, port, false, &ss, &sl) < 0) {
        errno = EINVAL;
        return -1;
    }
    return dial(ss.ss_family, (struct sockaddr *)&ss, sl);
}

static int dial_listener(const struct bind *b)
{
    if (b->kind == BIND_UNIX)
        return dial_unix(b->path);
    if (!b->host_any)
        return dial_tcp(b->host, b->port);
    int fd = dial_tcp("127.0.0.1", b->port);
    return fd >= 0 ? fd : dial_tcp("::1", b->port);
}

/* Sends GET /_ping and returns the status code (0 on I/O failure). */
static int ping(int fd)
{
    static const char req[] = "GET /_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    char resp[512];
    size_t got = 0;
    if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1))
        return 0;
    while (got < sizeof resp - 1) {
        ssize_t n = read(fd, resp + got, sizeof resp - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    resp[got] = '\0';
    int status = 0;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
        return 0;
    return status;
}

static int engine_ping(const struct config *c)
{
    int fd = c->upstream.kind == UP_UNIX ? dial_unix(c->upstream.path)
                                         : dial_tcp(c->upstream.host, c->upstream.port);
    if (fd < 0)
        return 0;
    int st = ping(fd);
    close(fd);
    return st;
}

int health_check(const struct config *c, FILE *out)
{
    if (c->nbinds == 0) {
        fprintf(out, "unhealthy: no listener configured\n");
        return 1;
    }
    int fd = dial_listener(&c->binds[0]);
    if (fd < 0) {
        fprintf(out, "unhealthy: proxy not accepting connections: %s\n", strerror(errno));
        return 1;
    }
    int st = ping(fd);
    close(fd);
    if (st == 200) {
        fprintf(out, "healthy: proxy and engine answer /_ping\n");
        return 0;
    }
    if (st == 403) {
        int est = engine_ping(c);
        if (est == 200) {
            fprintf(out, "healthy: proxy up (PING=0 refuses /_ping), engine answers /_ping\n");
            return 0;
        }
        fprintf(out, "unhealthy: proxy up, but the engine does not answer /_ping (status %d)\n",
                est);
        return 1;
    }
    if (st == 0)
        fprintf(out, "unhealthy: no valid answer from the proxy\n");
    else
        fprintf(out, "unhealthy: /_ping through the proxy answered %d\n", st);
    return 1;
}

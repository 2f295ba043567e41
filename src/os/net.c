#include "os/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"

static int sock(int domain)
{
    return socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static void set_int(int fd, int level, int opt, int v)
{
    (void)setsockopt(fd, level, opt, &v, sizeof v);
}

void net_tune(int fd)
{
    set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
    set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, 60);
    set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, 15);
    set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, 4);
}

int net_tcp_addr(const char *host, int port, bool any, struct sockaddr_storage *ss, socklen_t *sl)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (any && (host[0] == '\0' || strcmp(host, "::") == 0)) {
        a6->sin6_family = AF_INET6;
        a6->sin6_addr = in6addr_any;
        a6->sin6_port = htons((uint16_t)port);
        *sl = sizeof *a6;
        return 0;
    }
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *sl = sizeof *a4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *sl = sizeof *a6;
        return 0;
    }
    return -1;
}

static int listen_tcp_addr(struct sockaddr_storage *ss, socklen_t sl, bool dual)
{
    int fd = sock(ss->ss_family);
    if (fd < 0)
        return -errno;
    set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (ss->ss_family == AF_INET6)
        set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? 0 : 1);
    if (bind(fd, (struct sockaddr *)ss, sl) < 0 || listen(fd, 4096) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    net_tune(fd); /* accepted sockets inherit these: no per-connection setsockopt */
    /* No TCP_DEFER_ACCEPT, though it saved a wake-up per new connection: with thousands of silent
     * connects the deferred handshakes overflow the SYN queue, and under SYN cookies this kernel
     * then handed over connections whose peer had already gone (ESTABLISHED, never a FIN). */
    return fd;
}

static int listen_tcp(bool fallback, const struct bind *b, struct listener *l, char *err,
                      size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    if (net_tcp_addr(b->host, b->port, b->host_any, &ss, &sl) < 0) {
        snprintf(err, errlen, "BIND_CONFIG: '%s' is not an IP address", b->host);
        return -1;
    }
    bool v6any = ss.ss_family == AF_INET6 && b->host_any;
    int fd = listen_tcp_addr(&ss, sl, v6any && !b->v6only);
    if (fd < 0 && v6any && fallback &&
        (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL || fd == -EPROTONOSUPPORT)) {
        log_msg(SWLOG_WARNING,
                "IPv6 is unavailable here (%s); listening on 0.0.0.0:%d instead "
                "(set DISABLE_IPV6=1 to silence this)",
                strerror(-fd), b->port);
        net_tcp_addr("0.0.0.0", b->port, false, &ss, &sl);
        fd = listen_tcp_addr(&ss, sl, false);
        snprintf(l->name, sizeof l->name, "0.0.0.0:%d", b->port);
    } else if (ss.ss_family == AF_INET6) {
        snprintf(l->name, sizeof l->name, "[%s]:%d", b->host_any ? "::" : b->host, b->port);
    } else {
        snprintf(l->name, sizeof l->name, "%s:%d", b->host_any ? "0.0.0.0" : b->host, b->port);
    }
    if (fd < 0) {
        snprintf(err, errlen, "cannot listen on %s:%d (BIND_CONFIG): %s",
                 b->host[0] ? b->host : "*", b->port, strerror(-fd));
        return -1;
    }
    l->fd = fd;
    l->is_unix = 0;
    return 0;
}

/* A socket file nobody answers on is left over from an earlier run: remove it. A live one is an
 * error, never stolen. */
static int clear_stale_unix(const struct sockaddr_un *sa, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(sa->sun_path, &st) < 0)
        return 0;
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "BIND_CONFIG: %s exists and is not a socket", sa->sun_path);
        return -1;
    }
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int live = probe >= 0 && connect(probe, (const struct sockaddr *)sa, sizeof *sa) == 0;
    if (probe >= 0)
        close(probe);
    if (live) {
        snprintf(err, errlen, "BIND_CONFIG: %s is in use by another process", sa->sun_path);
        return -1;
    }
    unlink(sa->sun_path);
    return 0;
}

static int listen_unix(const struct bind *b, struct listener *l, char *err, size_t errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", b->path);
    if (clear_stale_unix(&sa, err, errlen) < 0)
        return -1;
    int fd = sock(AF_UNIX);
    bool bound = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    if (!bound || (b->mode >= 0 && chmod(b->path, (mode_t)b->mode) < 0) || listen(fd, 4096) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot listen on %s (BIND_CONFIG): %s", b->path, strerror(e));
        if (bound)
            unlink(b->path); /* ours: made by the bind just now */
        if (fd >= 0)
            close(fd);
        return -1;
    }
    l->fd = fd;
    l->is_unix = 1;
    snprintf(l->name, sizeof l->name, "%s", b->path);
    return 0;
}

int net_listen(const struct bind *binds, size_t n, bool fallback, struct listener *out, char *err,
               size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const struct bind *b = &binds[i];
        out[i].metrics = 0;
        int r = b->kind == BIND_UNIX ? listen_unix(b, &out[i], err, errlen)
                                     : listen_tcp(fallback, b, &out[i], err, errlen);
        if (r < 0) {
            /* Never a half-open set: the listeners opened so far are closed again, and the
             * socket files they made are removed (stale ones were removed before binding, so
             * each file is this run's own). */
            while (i-- > 0) {
                close(out[i].fd);
                if (binds[i].kind == BIND_UNIX)
                    unlink(binds[i].path);
            }
            return -1;
        }
    }
    return (int)n;
}

int net_upstream_connect(const struct upstream_addr *u, int *in_progress)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    *in_progress = 0;
    if (u->kind == UP_UNIX) {
        struct sockaddr_un *sa = (struct sockaddr_un *)&ss;
        memset(sa, 0, sizeof *sa);
        sa->sun_family = AF_UNIX;
        snprintf(sa->sun_path, sizeof sa->sun_path, "%s", u->path);
        sl = sizeof *sa;
    } else if (net_tcp_addr(u->host, u->port, false, &ss, &sl) < 0) {
        return -EINVAL;
    }
    int fd = sock(ss.ss_family);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
        int e = errno;
        if (e == EINPROGRESS) {
            *in_progress = 1;
            return fd;
        }
        close(fd);
        return -e;
    }
    if (u->kind == UP_TCP)
        net_tune(fd);
    return fd;
}

static void describe_access(const char *path, char *out, size_t cap)
{
    struct stat st;
    gid_t groups[64];
    int ng = getgroups(64, groups);
    char gl[256] = "";
    size_t n = 0;
    for (int i = 0; i < ng && n + 12 < sizeof gl; i++)
        n += (size_t)snprintf(gl + n, sizeof gl - n, "%s%u", i ? "," : "", (unsigned)groups[i]);
    if (stat(path, &st) < 0) {
        snprintf(out, cap, "permission denied on %s (running as uid %u gid %u groups [%s])", path,
                 (unsigned)getuid(), (unsigned)getgid(), gl);
        return;
    }
    snprintf(out, cap,
             "permission denied on %s: it is owned by uid %u gid %u mode %03o; sockwarden runs as "
             "uid %u gid %u groups [%s]: run as uid %u or add group %u (e.g. --group-add %u)",
             path, (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 0777),
             (unsigned)getuid(), (unsigned)getgid(), gl, (unsigned)st.st_uid, (unsigned)st.st_gid,
             (unsigned)st.st_gid);
}

void net_upstream_diagnose(const struct upstream_addr *u, int e, char *out, size_t cap)
{
    if (u->kind == UP_TCP) {
        snprintf(out, cap, "cannot connect to tcp://%s:%d (SOCKET_PATH): %s", u->host, u->port,
                 strerror(e));
        return;
    }
    switch (e) {
    case ENOENT:
        snprintf(out, cap,
                 "no socket at %s (SOCKET_PATH): is the engine running, and is the "
                 "socket mounted into this container?",
                 u->path);
        break;
    case EACCES:
    case EPERM:
        describe_access(u->path, out, cap);
        break;
    case ECONNREFUSED:
        snprintf(out, cap,
                 "connection refused at %s (SOCKET_PATH): the socket file is stale, "
                 "usually because the engine restarted; mount the socket's directory, "
                 "not the file",
                 u->path);
        break;
    case EAGAIN:
        snprintf(out, cap, "%s (SOCKET_PATH): the engine's accept queue is full", u->path);
        break;
    default:
        snprintf(out, cap, "cannot connect to %s (SOCKET_PATH): %s", u->path, strerror(e));
    }
}

void net_peer_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s:%u", ip, ntohs(a->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        bool mapped = IN6_IS_ADDR_V4MAPPED(&a->sin6_addr);
        if (mapped)
            inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], ip, sizeof ip);
        else
            inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        snprintf(out, cap, mapped ? "%s:%u" : "[%s]:%u", ip, ntohs(a->sin6_port));
    } else {
        snprintf(out, cap, "unix");
    }
}

/* conn_harness — an in-process proxy for connection state machine tests: a configuration from a
 * fake environment, a scripted fake engine listening on a unix socket in a private temporary
 * directory, clients on socketpair(2) ends (or a real listener), and bounded waits that drive the
 * loop a batch at a time.
 *
 * Contract: h_init() returns false (after a failed CHECK) when anything could not be set up; the
 * caller then returns. Every wait is bounded (WAIT_MS of wall time and WAIT_STEPS loop batches)
 * and records a failed CHECK naming what it waited for when the bound passes. struct acc collects
 * what a socket received; acc_pull() reads what is there without blocking and notes the end (EOF
 * or a reset). h_fini() tears the proxy down and removes the directory.
 */
#ifndef SW_TEST_CONN_HARNESS_H
#define SW_TEST_CONN_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "config/config.h"
#include "core/conn.h"
#include "core/proxy.h"
#include "fake_env.h"
#include "http/errpage.h"

#define WAIT_MS 3000
#define WAIT_STEPS 200000
#define H_MAX_ENV 24

struct h {
    struct config cfg;
    struct proxy px;
    char dir[64];
    char path[96];  /* the fake engine's socket */
    char lpath[96]; /* a unix listener for the proxy, when one is used */
    char sockenv[160];
    const char *env[H_MAX_ENV];
    int lfd;            /* the fake engine's listening socket */
    struct listener ls; /* the proxy's own listener (h_init_ls with listen) */
};

/* Drives the loop until cond holds or the bound passes; evaluates to whether cond held. */
#define WAIT(hp, cond, ...)                                                                        \
    __extension__({                                                                                \
        bool ok_ = false;                                                                          \
        uint64_t t0_ = loop_now_ms();                                                              \
        for (int i_ = 0; i_ < WAIT_STEPS; i_++) {                                                  \
            if (cond) {                                                                            \
                ok_ = true;                                                                        \
                break;                                                                             \
            }                                                                                      \
            if (loop_now_ms() - t0_ > WAIT_MS)                                                     \
                break;                                                                             \
            proxy_step(&(hp)->px, 2);                                                              \
        }                                                                                          \
        CHECK(ok_, __VA_ARGS__);                                                                   \
        ok_;                                                                                       \
    })

/* Runs the loop for about ms milliseconds (things that must NOT happen get this long). */
static inline void h_run(struct h *h, unsigned ms)
{
    uint64_t t0 = loop_now_ms();
    for (int i = 0; i < WAIT_STEPS && loop_now_ms() - t0 < ms; i++)
        proxy_step(&h->px, 2);
}

static inline int unix_listener(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static inline int unix_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline void h_quiet_log(const char *msg)
{
    (void)msg;
}

/* extra: NULL-terminated "NAME=value" list (or NULL); listen: the proxy gets a unix listener at
 * h->lpath (clients then connect with unix_connect), else none (clients are adopted). */
static inline bool h_init_ls(struct h *h, const char *const *extra, bool listen)
{
    memset(h, 0, sizeof *h);
    h->lfd = -1;
    snprintf(h->dir, sizeof h->dir, "/tmp/sw-conn.XXXXXX");
    if (!mkdtemp(h->dir)) {
        CHECK(false, "mkdtemp: %s", strerror(errno));
        return false;
    }
    snprintf(h->path, sizeof h->path, "%s/engine.sock", h->dir);
    snprintf(h->sockenv, sizeof h->sockenv, "SOCKET_PATH=%s", h->path);
    int n = 0;
    h->env[n++] = h->sockenv;
    for (; extra && *extra && n < H_MAX_ENV - 1; extra++)
        h->env[n++] = *extra;
    h->env[n] = NULL;
    fake_env = h->env;
    char err[256] = "";
    if (config_load(&h->cfg, 0, NULL, fake_getenv, h_quiet_log, err, sizeof err) < 0) {
        CHECK(false, "config_load: %s", err);
        return false;
    }
    h->lfd = unix_listener(h->path);
    if (h->lfd < 0) {
        CHECK(false, "engine listener: %s", strerror(errno));
        return false;
    }
    if (listen) {
        snprintf(h->lpath, sizeof h->lpath, "%s/proxy.sock", h->dir);
        h->ls = (struct listener){.fd = unix_listener(h->lpath), .is_unix = 1};
        snprintf(h->ls.name, sizeof h->ls.name, "%s", h->lpath);
        if (h->ls.fd < 0) {
            CHECK(false, "proxy listener: %s", strerror(errno));
            return false;
        }
    }
    if (proxy_init(&h->px, &h->cfg, &h->ls, listen ? 1 : 0) < 0) {
        CHECK(false, "proxy_init: %s", strerror(errno));
        return false;
    }
    return true;
}

static inline bool h_init(struct h *h, const char *const *extra)
{
    return h_init_ls(h, extra, false);
}

static inline void h_fini(struct h *h)
{
    proxy_fini(&h->px);
    CHECK_INT(h->px.held_bytes, 0, "held bytes after the proxy closed");
    if (h->lfd >= 0)
        close(h->lfd);
    unlink(h->path);
    if (h->lpath[0])
        unlink(h->lpath);
    rmdir(h->dir);
}

/* A client on one end of a socketpair, the other end adopted by the proxy. */
static inline int h_client(struct h *h)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0) {
        CHECK(false, "socketpair: %s", strerror(errno));
        return -1;
    }
    proxy_adopt(&h->px, sv[0], NULL);
    return sv[1];
}

static inline int h_try_accept(struct h *h)
{
    return accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/* The next engine connection the proxy makes, or -1 (a failed CHECK) after the bound. */
static inline int h_engine(struct h *h)
{
    int fd = -1;
    WAIT(h, (fd = h_try_accept(h)) >= 0, "an engine connection");
    return fd;
}

/* True when no engine connection is waiting to be accepted. */
static inline bool h_no_engine(struct h *h)
{
    int fd = h_try_accept(h);
    if (fd >= 0) {
        close(fd);
        return false;
    }
    return true;
}

/* Writes all of p, driving the loop while the socket is full. Returns false on failure. */
static inline bool h_send(struct h *h, int fd, const void *p, size_t n)
{
    const char *s = p;
    uint64_t t0 = loop_now_ms();
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w > 0) {
            s += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN)
            return false;
        if (loop_now_ms() - t0 > WAIT_MS) {
            CHECK(false, "send timed out with %zu bytes left", n);
            return false;
        }
        proxy_step(&h->px, 2);
    }
    return true;
}

static inline bool h_sends(struct h *h, int fd, const char *s)
{
    bool ok = h_send(h, fd, s, strlen(s));
    CHECK(ok, "send '%.40s': %s", s, strerror(errno));
    return ok;
}

/* Closes fd with a reset (SO_LINGER 0). */
static inline void close_rst(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

struct acc {
    char *b;
    size_t n, cap;
    bool eof;
    int err; /* the errno that ended the stream, 0 for an orderly EOF */
};

static inline void acc_free(struct acc *a)
{
    free(a->b);
    *a = (struct acc){0};
}

static inline void acc_reset(struct acc *a)
{
    a->n = 0;
    a->eof = false;
    a->err = 0;
}

/* Reads what fd holds now. Returns true when something (bytes or the end) arrived. */
static inline bool acc_pull(struct acc *a, int fd)
{
    bool any = false;
    while (!a->eof) {
        if (a->cap - a->n < 65536) {
            size_t cap = a->cap ? a->cap * 2 : 131072;
            char *p = realloc(a->b, cap);
            if (!p)
                return any;
            a->b = p;
            a->cap = cap;
        }
        ssize_t r = recv(fd, a->b + a->n, a->cap - a->n - 1, 0);
        if (r > 0) {
            a->n += (size_t)r;
            a->b[a->n] = '\0';
            any = true;
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        a->eof = true;
        a->err = r < 0 ? errno : 0;
        any = true;
    }
    return any;
}

static inline bool got_n(struct acc *a, int fd, size_t n)
{
    acc_pull(a, fd);
    return a->n >= n;
}

static inline bool got_str(struct acc *a, int fd, const char *s)
{
    acc_pull(a, fd);
    return a->n && memmem(a->b, a->n, s, strlen(s)) != NULL;
}

static inline bool got_eof(struct acc *a, int fd)
{
    acc_pull(a, fd);
    return a->eof;
}

/* The head of a with its end (\r\n\r\n) present: its length, or 0. */
static inline size_t acc_head_len(const struct acc *a)
{
    const char *e = a->n ? memmem(a->b, a->n, "\r\n\r\n", 4) : NULL;
    return e ? (size_t)(e - a->b) + 4 : 0;
}

/* The connection the proxy made for the client most recently adopted (the list's head). */
static inline struct conn *h_conn(struct h *h)
{
    return h->px.conns;
}

/* One test's world: the harness, a client c and its received bytes ca, an engine connection e
 * and what it received ea (either fd -1 when absent). */
struct tc {
    struct h h;
    struct acc ca, ea;
    int c, e;
};

/* Sets up, connects a client and, when req is given, sends it and accepts the engine connection
 * it causes (its head then waits in ea). */
static inline bool tc_open(struct tc *t, const char *const *env, const char *req)
{
    t->c = t->e = -1;
    t->ca = t->ea = (struct acc){0};
    if (!h_init(&t->h, env))
        return false;
    t->c = h_client(&t->h);
    if (!req)
        return t->c >= 0;
    if (!h_sends(&t->h, t->c, req) || (t->e = h_engine(&t->h)) < 0)
        return false;
    return WAIT(&t->h, got_str(&t->ea, t->e, "\r\n\r\n"), "the forwarded head of '%.30s'", req);
}

/* Closes both ends, waits until the proxy freed every connection, and tears down. */
static inline void tc_close(struct tc *t)
{
    if (t->c >= 0)
        close(t->c);
    if (t->e >= 0)
        close(t->e);
    WAIT(&t->h, t->h.px.nconns == 0, "every connection freed at the end");
    acc_free(&t->ca);
    acc_free(&t->ea);
    h_fini(&t->h);
}

/* The canned answer the proxy writes for status/reason, byte for byte. */
static inline size_t canned(char *buf, size_t cap, int status, const char *reason)
{
    if (status == 403) {
        size_t len, head_len;
        const char *p = errpage_403(&len, &head_len);
        memcpy(buf, p, len < cap ? len : cap);
        return len;
    }
    return errpage_format(buf, cap, status, reason, false);
}

/* Client c reads the whole canned answer, then the end of the connection. */
static inline void expect_canned(struct h *h, int c, int status, const char *reason,
                                 const char *ctx)
{
    char want[2048];
    size_t n = canned(want, sizeof want, status, reason);
    struct acc a = {0};
    WAIT(h, got_eof(&a, c), "%s: the end after the canned answer", ctx);
    CHECK(a.n == n && memcmp(a.b, want, n) == 0, "%s: got '%.*s' want '%.*s'", ctx, (int)a.n,
          a.b ? a.b : "", (int)n, want);
    acc_free(&a);
}

/* Reads a head on fd into a (reset first) and compares it byte for byte. */
static inline void expect_head(struct h *h, struct acc *a, int fd, const char *want,
                               const char *ctx)
{
    acc_reset(a);
    WAIT(h, got_str(a, fd, "\r\n\r\n"), "%s: a head", ctx);
    CHECK_STR(a->b ? a->b : "", a->n, want, ctx);
}

/* Waits for strlen(want) bytes in a (added to what it holds) and compares them all. */
static inline void expect_bytes(struct h *h, struct acc *a, int fd, const char *want,
                                const char *ctx)
{
    WAIT(h, got_n(a, fd, strlen(want)), "%s: %zu bytes", ctx, strlen(want));
    h_run(h, 5); /* and nothing more */
    acc_pull(a, fd);
    CHECK_STR(a->b ? a->b : "", a->n, want, ctx);
}

#endif

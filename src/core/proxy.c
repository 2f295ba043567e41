#include "core/proxy.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "http/canon.h"
#include "http/errpage.h"
#include "http/http.h"
#include "base/log.h"
#include "base/metrics.h"
#include "policy/policy.h"

enum ev_tag { EV_LISTENER, EV_CLIENT, EV_UPSTREAM, EV_SIGNAL };

/* Request side: where the client's byte stream is. */
enum rq_state { RQ_HEAD, RQ_BODY, RQ_DONE, RQ_TUNNEL };
/* Response side: where the engine's byte stream is. */
enum rs_state { RS_IDLE, RS_HEAD, RS_BODY, RS_DONE, RS_TUNNEL };
/* What happens when the deadline passes. */
enum dl_kind {
    DL_NONE,
    DL_FIRST,
    DL_IDLE,
    DL_REQUEST,
    DL_CONNECT,
    DL_RESPONSE,
    DL_STREAM,
    DL_LINGER
};

struct ev {
    uint8_t tag;
};

struct conn {
    struct ev cev;
    struct upconn *up; /* the engine connection in use, or NULL */
    int cfd;
    struct conn *prev, *next;
    struct buf rbuf;  /* client → proxy */
    struct buf hbuf;  /* re-serialised request head → engine (kept until the answer starts) */
    struct buf ubuf;  /* engine → proxy → client */
    uint32_t hsent;   /* bytes of hbuf already written */
    uint32_t rfwd;    /* bytes at the front of rbuf cleared for the engine */
    uint32_t ufwd;    /* bytes at the front of ubuf cleared for the client */
    uint32_t uparse;  /* bytes at the front of ubuf already framed (interim heads) */
    uint32_t scanned; /* bytes of a pending request head already searched for a line end */
    uint8_t rq, rs, route, dl;
    uint8_t req_body, resp_body;
    bool c_rd, c_wr, u_rd, u_wr;
    bool c_out_armed;  /* EPOLLOUT is in the client's registration (see arm_out) */
    bool c_registered; /* the client socket is in the epoll set (see client_watch) */
    bool c_hup, u_hup; /* the peer's FIN is already signalled: read until EOF, not just once */
    bool c_eof, u_eof, c_shut, u_shut;
    bool connecting, linger, req_keepalive, resp_keepalive, is_head, upgrade;
    bool reused, dead, freed, queued, metrics;
    bool moved;              /* made progress since the last tick (see check_deadlines) */
    struct conn *next_ready; /* on the ready list: more work is possible without a new event */
    uint64_t req_left, resp_left;
    struct chunk_state req_chunk, resp_chunk;
    const char *canned; /* proxy-generated answer being written */
    char *canned_heap;
    uint32_t canned_len, canned_off;
    uint64_t deadline, t_start, bytes_out;
    int status;
    const char *decision, *rule, *section;
    char method[16];
    char target[120];
    struct sockaddr_in6 peer; /* from accept4; formatted only when a line is logged */
};

/* One engine connection. It is registered with epoll once, pointing here, and keeps that
 * registration when it moves between a client and the shared pool: no epoll_ctl per reuse. */
struct upconn {
    struct ev ev;
    int fd;
    bool out_armed;      /* EPOLLOUT is in the registration (see arm_out) */
    bool dead;           /* closed; freed after the current epoll batch */
    struct conn *owner;  /* NULL while parked */
    struct upconn *next; /* graveyard link */
};

/* Clean, idle engine connections, shared by all clients: a new client connection (the docker CLI
 * opens one per command) reuses one instead of connecting again. */
#define PARK_MAX 32
static struct upconn *park[PARK_MAX];
static int nparked;
static struct upconn *up_graveyard;

struct lst {
    struct ev ev;
    struct listener *l;
};

static const struct config *cfg;
static int ep = -1;
static struct conn *conns, *graveyard, *ready_list;
/* Freed connection objects kept for reuse: under a new connection per request, malloc and free of
 * one object each time make musl's allocator map and unmap a page per connection. */
#define SPARE_MAX 64
static struct conn *spare;
static unsigned nspare;
static unsigned nconns;
static struct lst *lsts;
static int nlsts;
static bool accept_paused, accept_retry, draining;
static uint64_t ntunnels;
static uint64_t drain_deadline, last_cap_log;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct conn *conn_of(struct ev *e)
{
    return (struct conn *)(void *)((char *)e - offsetof(struct conn, cev));
}

static void set_deadline(struct conn *c, enum dl_kind k, unsigned ms)
{
    c->dl = (uint8_t)k;
    c->deadline = (k == DL_NONE || ms == 0) ? 0 : now_ms() + ms;
    if (ms == 0)
        c->dl = DL_NONE;
}

/* Every socket is watched edge-triggered for input and the peer's FIN; output only on demand. */
static int watch(int op, int fd, void *ptr, bool out)
{
    struct epoll_event ee = {.events = EPOLLIN | EPOLLRDHUP | EPOLLET | (out ? EPOLLOUT : 0),
                             .data.ptr = ptr};
    return epoll_ctl(ep, op, fd, &ee);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static void upconn_close(struct upconn *u)
{
    close(u->fd);
    u->dead = true;
    u->next = up_graveyard;
    up_graveyard = u;
}

static void close_upstream(struct conn *c)
{
    if (c->up) {
        upconn_close(c->up);
        c->up = NULL;
    }
    c->u_hup = false;
    c->u_rd = c->u_wr = c->u_eof = c->u_shut = c->connecting = false;
    c->reused = false;
    buf_put(&c->ubuf);
    c->ufwd = c->uparse = 0;
}

/* Hands a clean engine connection to the shared pool (or closes it when the pool is full). */
static void park_upstream(struct conn *c)
{
    if (c->up && nparked < PARK_MAX && !c->u_eof && !c->u_hup && !c->ubuf.len) {
        c->up->owner = NULL;
        park[nparked++] = c->up;
        c->up = NULL;
    }
    close_upstream(c);
}

/* Takes a parked engine connection for c; returns false when there is none. */
static bool unpark_upstream(struct conn *c)
{
    if (nparked == 0)
        return false;
    struct upconn *u = park[--nparked];
    u->owner = c;
    c->up = u;
    c->u_rd = false;
    c->u_wr = true; /* idle, so its send buffer is empty */
    return true;
}

/* The engine closed (or wrote to) an idle pooled connection: it is of no further use. A mere
 * writability edge changes nothing. */
static void parked_event(struct upconn *u, uint32_t events)
{
    if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        return;
    for (int i = 0; i < nparked; i++)
        if (park[i] == u) {
            park[i] = park[--nparked];
            upconn_close(u);
            return;
        }
}

static void close_parked(void)
{
    while (nparked > 0)
        upconn_close(park[--nparked]);
}

static void log_transaction(struct conn *c)
{
    if (!c->method[0])
        return;
    char peer[64] = "-";
    if (log_enabled(SWLOG_INFO)) /* formatting costs more than the rest of a request's logging */
        net_peer_name((const struct sockaddr_storage *)(const void *)&c->peer, peer, sizeof peer);
    struct access_entry e = {
        .client = peer,
        .method = c->method,
        .target = c->target,
        .status = c->status,
        .bytes_out = c->bytes_out,
        .duration_ms = now_ms() - c->t_start,
        .decision = c->decision ? c->decision : "error",
        .rule = c->rule ? c->rule : "-",
    };
    log_access(&e);
    if (!c->metrics)
        metrics_request(e.decision, c->section ? c->section : "none", c->status, c->bytes_out,
                        e.duration_ms);
    c->method[0] = '\0';
}

static void conn_free(struct conn *c)
{
    log_transaction(c);
    if (c->rs == RS_IDLE && !draining && cfg->upstream_keepalive)
        park_upstream(c);
    else
        close_upstream(c);
    if (c->rs == RS_TUNNEL) /* a tunnel never leaves that state but to be freed */
        ntunnels--;
    if (c->cfd >= 0)
        close(c->cfd);
    buf_put(&c->rbuf);
    buf_put(&c->hbuf);
    free(c->canned_heap);
    if (c->prev)
        c->prev->next = c->next;
    else
        conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    nconns--;
    /* Freed after the current epoll batch: it may still hold an event for this connection. */
    c->freed = true;
    c->next = graveyard;
    graveyard = c;
    if (accept_paused)
        accept_retry = true; /* after this batch: try_accept() here could nest without bound */
}

static void conn_kill(struct conn *c)
{
    c->dead = true;
}

/* ---- proxy-generated answers ------------------------------------------------------------- */

/* After our own answer the connection closes, but only once the client has read it: closing with
 * unread input would reset the connection and could destroy the answer in flight. */
static void answer_bytes(struct conn *c, int status, char *heap, const char *bytes, size_t len,
                         const char *decision, const char *rule)
{
    free(c->canned_heap);
    c->canned_heap = heap;
    c->canned = bytes;
    c->canned_len = (uint32_t)len;
    c->canned_off = 0;
    c->status = status;
    c->decision = decision;
    c->rule = rule;
    c->rfwd = 0;
    c->rq = RQ_DONE;
    c->rs = RS_DONE;
    close_upstream(c);
    set_deadline(c, DL_LINGER, 10000);
}

static void answer(struct conn *c, int status, const char *reason, const char *decision,
                   const char *rule)
{
    if (status == 403) {
        size_t len, head_len;
        const char *page = errpage_403(&len, &head_len);
        answer_bytes(c, 403, NULL, page, c->is_head ? head_len : len, decision, rule);
        return;
    }
    char tmp[1024];
    size_t n = errpage_format(tmp, sizeof tmp, status, reason, c->is_head);
    char *heap = malloc(n);
    if (!heap) {
        conn_kill(c);
        return;
    }
    memcpy(heap, tmp, n);
    answer_bytes(c, status, heap, heap, n, decision, rule);
}

/* ---- request head ------------------------------------------------------------------------- */

static void copy_view(char *dst, size_t cap, struct http_view v)
{
    size_t n = v.len < cap - 1 ? v.len : cap - 1;
    memcpy(dst, v.p, n);
    dst[n] = '\0';
    if (v.len > cap - 1 && cap > 4)
        memcpy(dst + cap - 4, "...", 4);
}

static bool append(struct buf *b, const char *s, size_t n)
{
    if (buf_space(b) < n)
        return false;
    memcpy(buf_tail(b), s, n);
    b->len += (uint32_t)n;
    return true;
}

static bool append_str(struct buf *b, const char *s)
{
    return append(b, s, strlen(s));
}

/* Headers that describe this hop only, or that we re-create from the parsed framing. Expect is
 * forwarded: the engine answers 100-continue itself. */
static bool dropped_header(struct http_view name)
{
    return http_is_hop_by_hop(name) ||
           (name.len == 14 && strncasecmp(name.p, "content-length", 14) == 0);
}

static bool serialise_request(struct conn *c, const struct http_request *req,
                              const struct canon *cn)
{
    size_t need = req->head_len + 3 * cn->path_len + cn->version_len + 256;
    if (buf_get(&c->hbuf) < 0 || buf_grow(&c->hbuf, need) < 0)
        return false;
    struct buf *b = &c->hbuf;
    char line[64];
    bool ok = append(b, req->method.p, req->method.len) && append_str(b, " ");
    int tl = canon_format_target(cn, buf_tail(b), buf_space(b));
    if (!ok || tl < 0)
        return false;
    b->len += (uint32_t)tl;
    ok = append_str(b, req->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    for (size_t i = 0; ok && i < req->nheaders; i++) {
        const struct http_header *h = &req->headers[i];
        if (dropped_header(h->name))
            continue;
        ok = append(b, h->name.p, h->name.len) && append_str(b, ": ") &&
             append(b, h->value.p, h->value.len) && append_str(b, "\r\n");
    }
    if (ok && req->body == HTTP_BODY_LENGTH) {
        snprintf(line, sizeof line, "Content-Length: %llu\r\n",
                 (unsigned long long)req->content_length);
        ok = append_str(b, line);
    } else if (ok && req->body == HTTP_BODY_CHUNKED) {
        ok = append_str(b, "Transfer-Encoding: chunked\r\n");
    }
    if (ok && c->upgrade)
        ok = append_str(b, "Connection: Upgrade\r\nUpgrade: ") &&
             append(b, req->upgrade_proto.p, req->upgrade_proto.len) && append_str(b, "\r\n");
    else if (ok && !cfg->upstream_keepalive && req->minor == 1)
        ok = append_str(b, "Connection: close\r\n");
    else if (ok && req->keep_alive && cfg->upstream_keepalive && req->minor == 0)
        ok = append_str(b, "Connection: keep-alive\r\n");
    return ok && append_str(b, "\r\n");
}

static void start_upstream(struct conn *c);

/* The metrics listener answers GET /metrics and nothing else; it never reaches the engine. */
static void serve_metrics(struct conn *c, const struct canon *cn)
{
    static const char head[] = "HTTP/1.0 200 OK\r\ncache-control: no-cache\r\n"
                               "content-type: text/plain; version=0.0.4\r\n\r\n";
    c->decision = "metrics";
    c->rule = "METRICS_BIND";
    bool get = !strcmp(c->method, "GET") || c->is_head;
    if (!get || strcmp(cn->path, "/metrics") != 0 || cn->version_len) {
        answer(c, 404, "only GET /metrics is served here", "metrics", "METRICS_BIND");
        return;
    }
    struct metrics_gauges g = {nconns, ntunnels, buf_in_use(), buf_bytes_lent()};
    size_t need = metrics_render(NULL, 0, &g) + sizeof head + 64;
    char *p = malloc(need);
    if (!p) {
        conn_kill(c);
        return;
    }
    memcpy(p, head, sizeof head - 1);
    size_t n = sizeof head - 1;
    if (!c->is_head)
        n += metrics_render(p + n, need - n, &g);
    answer_bytes(c, 200, p, p, n, "metrics", "METRICS_BIND");
}

static void handle_request(struct conn *c, const struct http_request *req)
{
    static struct canon cn; /* large: one per process, used synchronously */
    const char *why;
    c->t_start = now_ms();
    c->bytes_out = 0;
    c->status = 0;
    c->decision = c->rule = c->section = NULL;
    copy_view(c->method, sizeof c->method, req->method);
    copy_view(c->target, sizeof c->target, req->target);
    c->is_head = req->method.len == 4 && memcmp(req->method.p, "HEAD", 4) == 0;
    if (canon_target(req->target.p, req->target.len, &cn, &why) < 0) {
        answer(c, 400, why, "error", why);
        return;
    }
    if (c->metrics) {
        serve_metrics(c, &cn);
        return;
    }
    struct verdict v = policy_decide(&cfg->policy, req->method.p, req->method.len, &cn);
    c->section = v.section == SEC_NONE ? "none" : section_path[v.section] + 1;
    if (!v.allow) {
        answer(c, 403, NULL, "deny", v.rule);
        return;
    }
    c->decision = "allow";
    c->rule = v.rule;
    c->route = (uint8_t)v.route;
    c->upgrade = req->upgrade && v.route == ROUTE_HIJACK;
    c->req_keepalive = req->keep_alive && !draining;
    c->req_body = (uint8_t)req->body;
    c->req_left = req->content_length;
    chunk_init(&c->req_chunk);
    if (!serialise_request(c, req, &cn)) {
        answer(c, 431, "request head too large to forward", "error", "serialise");
        return;
    }
    c->hsent = 0;
    buf_consume(&c->rbuf, req->head_len);
    c->rfwd = 0;
    c->rq =
        req->body == HTTP_BODY_NONE || (req->body == HTTP_BODY_LENGTH && req->content_length == 0)
            ? RQ_DONE
            : RQ_BODY;
    c->rs = RS_HEAD;
    c->uparse = 0;
    start_upstream(c);
}

static void response_wait_deadline(struct conn *c)
{
    if (c->route == ROUTE_EVENTS)
        set_deadline(c, DL_NONE, 0);
    else
        set_deadline(c, DL_RESPONSE, cfg->response_timeout_ms);
}

static void upstream_failed(struct conn *c, int e)
{
    char why[400];
    net_upstream_diagnose(&cfg->upstream, e, why, sizeof why);
    log_msg(SWLOG_ERR, "upstream: %s", why);
    metrics_upstream_error(metrics_cause_from_errno(e));
    answer(c, 503, NULL, "error", "upstream-unavailable");
}

static void start_upstream(struct conn *c)
{
    if (c->up || unpark_upstream(c)) {
        c->reused = true;
        response_wait_deadline(c);
        return;
    }
    int in_progress;
    int fd = net_upstream_connect(&cfg->upstream, &in_progress);
    if (fd < 0) {
        upstream_failed(c, -fd);
        return;
    }
    struct upconn *u = calloc(1, sizeof *u);
    if (!u) {
        close(fd);
        upstream_failed(c, ENOMEM);
        return;
    }
    u->ev.tag = EV_UPSTREAM;
    u->fd = fd;
    u->owner = c;
    c->up = u;
    c->reused = false;
    c->u_rd = false;
    c->u_wr = !in_progress;
    u->out_armed = in_progress;
    if (watch(EPOLL_CTL_ADD, fd, u, in_progress) < 0) {
        upstream_failed(c, errno);
        return;
    }
    c->connecting = in_progress;
    if (in_progress)
        set_deadline(c, DL_CONNECT, cfg->connect_timeout_ms);
    else
        response_wait_deadline(c);
}

/* ---- reading and framing ------------------------------------------------------------------ */

/* Reads from fd into b, holding at most limit bytes. Returns true on progress (bytes or EOF);
 * clears *ready on EAGAIN. */
static bool read_into(int fd, struct buf *b, size_t limit, bool hup, bool *ready, bool *eof)
{
    if (!*ready || *eof)
        return false;
    if (!b->p && buf_get(b) < 0)
        return false;
    if (b->off && buf_space(b) == 0)
        buf_compact(b);
    if (buf_space(b) == 0 && b->cap < limit)
        buf_grow(b, b->cap * 2 < limit ? b->cap * 2 : limit);
    size_t room = b->len < limit ? limit - b->len : 0;
    if (buf_space(b) < room)
        room = buf_space(b);
    if (room == 0)
        return false;
    ssize_t n = recv(fd, buf_tail(b), room, 0);
    if (n > 0) {
        b->len += (uint32_t)n;
        /* A read that filled the whole buffer means a bulk stream: read it in larger pieces
         * (up to the limit), since every read and write costs a system call and a wake-up. */
        if ((size_t)n == room && buf_space(b) == 0 && b->cap < limit)
            buf_grow(b, b->cap * 4 < limit ? b->cap * 4 : limit);
        /* A short read emptied the socket: the next byte brings a new edge, so skip the read
         * that would only say EAGAIN. Not once the FIN is signalled: that edge has passed. */
        if ((size_t)n < room && !hup)
            *ready = false;
        return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        *eof = true;
        return true;
    }
    if (errno == EAGAIN)
        *ready = false;
    return false;
}

static bool client_read(struct conn *c)
{
    if (c->linger) {
        char sink[4096];
        while (c->c_rd) {
            ssize_t n = read(c->cfd, sink, sizeof sink);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                conn_kill(c);
                return false;
            }
            if (n < 0 && errno == EAGAIN)
                c->c_rd = false;
        }
        return false;
    }
    if (c->rq == RQ_HEAD && c->rbuf.p && buf_space(&c->rbuf) == 0 && c->rbuf.off == 0 &&
        c->rbuf.cap < cfg->limits.max_head_bytes + 4)
        if (buf_grow(&c->rbuf, cfg->limits.max_head_bytes + 4) < 0)
            return false;
    /* A head may need up to MAX_HEADER_BYTES; anything else (bodies, tunnel bytes, what a
     * pipelining client queues behind a response in flight) at most MAX_BUFFER_BYTES. */
    size_t limit = c->rq != RQ_HEAD         ? cfg->max_buffer_bytes
                   : c->rbuf.cap > BUF_SIZE ? c->rbuf.cap
                                            : BUF_SIZE;
    return read_into(c->cfd, &c->rbuf, limit, c->c_hup, &c->c_rd, &c->c_eof);
}

/* A request we answer without having parsed it still gets an access line, with "-" fields. */
static void mark_unparsed(struct conn *c)
{
    c->t_start = now_ms();
    strcpy(c->method, "-");
    strcpy(c->target, "-");
}

static void parse_head(struct conn *c)
{
    static struct http_request req; /* large: one per process, used synchronously */
    struct http_error err;
    if (!c->rbuf.len)
        return;
    /* Parse again only when a line ended: a client trickling bytes costs a scan of the new bytes,
     * not of the whole head each time. */
    if (c->scanned < c->rbuf.len && c->rbuf.len < cfg->limits.max_head_bytes &&
        !memchr(buf_head(&c->rbuf) + c->scanned, '\n', c->rbuf.len - c->scanned)) {
        c->scanned = c->rbuf.len;
        if (c->c_eof)
            conn_kill(c);
        return;
    }
    c->scanned = c->rbuf.len;
    int r = http_parse_request(buf_head(&c->rbuf), c->rbuf.len, &cfg->limits, &req, &err);
    if (r < 0) {
        mark_unparsed(c);
        c->is_head = c->rbuf.len >= 5 && memcmp(buf_head(&c->rbuf), "HEAD ", 5) == 0;
        answer(c, err.status, err.reason, "error", err.reason);
        return;
    }
    if (r > 0) {
        c->scanned = 0;
        handle_request(c, &req);
        return;
    }
    if (c->c_eof)
        conn_kill(c); /* partial head then EOF: nothing to answer */
}

/* Length and chunked framing, the same for both directions: clears *used bytes of p (at most
 * avail) for forwarding, and tells whether the body ended or broke its grammar. */
static enum chunk_result frame_body(uint8_t kind, uint64_t *left, struct chunk_state *cs,
                                    const char *p, uint32_t avail, uint32_t *used)
{
    if (kind == HTTP_BODY_LENGTH) {
        *used = *left < avail ? (uint32_t)*left : avail;
        *left -= *used;
        return *left ? CHUNK_MORE : CHUNK_DONE;
    }
    size_t n = 0;
    enum chunk_result r = chunk_feed(cs, p, avail, &n);
    *used = (uint32_t)n;
    return r;
}

/* Nothing of the engine's answer has reached the client yet: an error page can still be sent. */
static bool nothing_sent(const struct conn *c)
{
    return c->bytes_out == 0 && c->ufwd == 0;
}

static void body_error(struct conn *c)
{
    if (c->rs == RS_HEAD && nothing_sent(c))
        answer(c, 400, "malformed chunked request body", "error", "chunked-body");
    else
        conn_kill(c);
}

static bool frame_request_body(struct conn *c)
{
    uint32_t avail = c->rbuf.len - c->rfwd;
    if (!avail) {
        if (c->c_eof)
            conn_kill(c); /* truncated body: the engine must not wait for bytes that never come */
        return false;
    }
    uint32_t used;
    enum chunk_result r = frame_body(c->req_body, &c->req_left, &c->req_chunk,
                                     buf_head(&c->rbuf) + c->rfwd, avail, &used);
    c->rfwd += used;
    if (r == CHUNK_DONE)
        c->rq = RQ_DONE;
    else if (r == CHUNK_ERROR)
        body_error(c);
    return used > 0;
}

static bool process_client(struct conn *c)
{
    if (c->canned || c->dead)
        return false;
    switch (c->rq) {
    case RQ_HEAD:
        if (c->rs == RS_IDLE) {
            uint8_t before = c->rq;
            parse_head(c);
            return c->rq != before || c->canned;
        }
        return false;
    case RQ_BODY:
        return frame_request_body(c);
    case RQ_TUNNEL:
        if (c->rfwd != c->rbuf.len) {
            c->rfwd = c->rbuf.len;
            return true;
        }
        return false;
    default:
        /* A client gone while its answer is pending: the engine would keep working for nobody. */
        if (c->c_eof && c->rs != RS_IDLE)
            conn_kill(c);
        return false;
    }
}

/* ---- writing ------------------------------------------------------------------------------ */

/* Adds EPOLLOUT to a registration, once. Writability is not watched until a write would block:
 * otherwise every request the engine reads raises an event. A full send buffer is rare (large
 * uploads, slow clients), so it stays armed afterwards. The kernel reports current readiness on a
 * modify, so space freed between the EAGAIN and this call is not missed. */
static int arm_out(int fd, void *ptr, bool *armed)
{
    if (*armed)
        return 0;
    if (watch(EPOLL_CTL_MOD, fd, ptr, true) < 0)
        return -1;
    *armed = true;
    return 0;
}

/* Puts the client socket into the epoll set. The kernel reports the current state on adding, so
 * whatever happened on the socket before (bytes, a FIN) is not missed. */
static void client_watch(struct conn *c)
{
    if (watch(EPOLL_CTL_ADD, c->cfd, &c->cev, c->c_out_armed) < 0) {
        log_msg(SWLOG_ERR, "epoll_ctl for a client connection: %s", strerror(errno));
        conn_kill(c);
        return;
    }
    c->c_registered = true;
}

/* A client whose whole request has gone to the engine and who expects nothing after the answer
 * needs no watching until the answer starts: a one-request connection (the docker CLI, a
 * health check) is then served and closed without ever entering the epoll set. One still waiting
 * at the next tick is registered then (check_deadlines), so a client that leaves during a slow
 * answer is noticed within a tick or two, as before. */
static bool client_unwatched_ok(const struct conn *c)
{
    return c->rq == RQ_DONE && c->rs == RS_HEAD && !c->req_keepalive && c->c_wr && !c->canned &&
           !c->linger && c->ubuf.len == 0;
}

static bool hold_writes;
static void make_ready(struct conn *c)
{
    if (c->queued)
        return;
    c->queued = true;
    c->next_ready = ready_list;
    ready_list = c;
}

static bool upstream_write(struct conn *c)
{
    if (!c->up || c->connecting || !c->u_wr || c->u_shut)
        return false;
    struct iovec iov[2];
    int n = 0;
    uint32_t hpend = c->hbuf.p ? c->hbuf.len - c->hsent : 0;
    if (hpend)
        iov[n++] = (struct iovec){buf_head(&c->hbuf) + c->hsent, hpend};
    if (c->rfwd)
        iov[n++] = (struct iovec){buf_head(&c->rbuf), c->rfwd};
    if (!n) {
        if (c->rq == RQ_TUNNEL && c->c_eof && c->rbuf.len == 0) {
            shutdown(c->up->fd, SHUT_WR);
            c->u_shut = true;
            return true;
        }
        return false;
    }
    if (hold_writes) {
        make_ready(c);
        return false;
    }
    /* send(2) for the usual single piece: sockets skip the VFS layers a writev(2) goes through.
     * (sendmsg(2) would cover both but stays outside the seccomp allow-list: it passes fds.) */
    ssize_t w = n == 1 ? send(c->up->fd, iov[0].iov_base, iov[0].iov_len, MSG_NOSIGNAL)
                       : writev(c->up->fd, iov, n);
    if (w < 0) {
        if (errno == EAGAIN) {
            c->u_wr = false;
            if (arm_out(c->up->fd, c->up, &c->up->out_armed) < 0)
                c->u_eof = true;
        } else if (errno != EINTR) {
            c->u_eof = true; /* treated like the engine closing */
        }
        return false;
    }
    size_t hw = (size_t)w < hpend ? (size_t)w : hpend;
    c->hsent += (uint32_t)hw;
    size_t bw = (size_t)w - hw;
    if (bw) {
        buf_consume(&c->rbuf, bw);
        c->rfwd -= (uint32_t)bw;
        if (c->rs == RS_HEAD && c->dl == DL_RESPONSE)
            response_wait_deadline(c); /* an upload in progress is not an idle engine */
    }
    return true;
}

static bool client_write(struct conn *c)
{
    if (!c->c_wr || c->c_shut)
        return false;
    const char *p;
    size_t len;
    if (c->canned) {
        p = c->canned + c->canned_off;
        len = c->canned_len - c->canned_off;
    } else if (c->ufwd) {
        p = buf_head(&c->ubuf);
        len = c->ufwd;
    } else {
        if (c->rs == RS_TUNNEL && c->u_eof && c->ubuf.len == 0) {
            shutdown(c->cfd, SHUT_WR);
            c->c_shut = true;
            return true;
        }
        return false;
    }
    if (hold_writes) {
        make_ready(c);
        return false;
    }
    ssize_t w = send(c->cfd, p, len, MSG_NOSIGNAL);
    if (w < 0) {
        if (errno == EAGAIN) {
            c->c_wr = false;
            if (!c->c_registered) {
                c->c_out_armed = true; /* registered with EPOLLOUT from the start */
                client_watch(c);
            } else if (arm_out(c->cfd, &c->cev, &c->c_out_armed) < 0) {
                conn_kill(c);
            }
        } else if (errno != EINTR) {
            conn_kill(c);
        }
        return false;
    }
    c->bytes_out += (uint64_t)w;
    if (c->canned) {
        c->canned_off += (uint32_t)w;
        if (c->canned_off == c->canned_len) {
            /* Half-close, then read and discard until the client closes (or the linger ends). */
            c->canned = NULL;
            shutdown(c->cfd, SHUT_WR);
            c->c_shut = true;
            c->linger = true;
            log_transaction(c);
        }
    } else {
        buf_consume(&c->ubuf, (size_t)w);
        c->ufwd -= (uint32_t)w;
        c->uparse -= (uint32_t)w < c->uparse ? (uint32_t)w : c->uparse;
    }
    return true;
}

/* ---- response framing --------------------------------------------------------------------- */

static void enter_tunnel(struct conn *c)
{
    c->rs = RS_TUNNEL;
    c->rq = RQ_TUNNEL;
    c->ufwd = c->ubuf.len;
    c->rfwd = c->rbuf.len;
    buf_put(&c->hbuf);
    ntunnels++;
    set_deadline(c, cfg->stream_idle_timeout_ms ? DL_STREAM : DL_NONE, cfg->stream_idle_timeout_ms);
}

static void bad_response(struct conn *c, const char *why)
{
    log_msg(SWLOG_ERR, "upstream: invalid response to %s %s: %s", c->method, c->target, why);
    metrics_upstream_error(UC_BAD_RESPONSE);
    if (nothing_sent(c))
        answer(c, 502, why, "error", "bad-response");
    else
        conn_kill(c);
}

/* The engine connection outlives the client's, so the engine's answer says keep-alive even when
 * this client connection ends with it: say "close" after the status line (close wins over any
 * keep-alive token), so the client does not try to reuse a connection we are about to close. */
static bool announce_close(struct conn *c, struct http_response *resp)
{
    static const char hdr[] = "Connection: close\r\n";
    const size_t n = sizeof hdr - 1;
    if (buf_space(&c->ubuf) < n && buf_grow(&c->ubuf, c->ubuf.cap + 256) < 0)
        return false;
    char *head = buf_head(&c->ubuf) + c->uparse;
    const char *eol = memchr(head, '\n', resp->head_len);
    size_t at = (size_t)(eol - head) + 1;
    memmove(head + at + n, head + at, c->ubuf.len - c->uparse - at);
    memcpy(head + at, hdr, n);
    c->ubuf.len += (uint32_t)n;
    resp->head_len += n;
    return true;
}

static void response_head(struct conn *c, struct http_response *resp)
{
    buf_put(&c->hbuf); /* the engine has answered: no retry will need the head again */
    bool interim = resp->status >= 100 && resp->status < 200 && resp->status != 101;
    c->status = resp->status;
    if (interim) {
        c->ufwd += (uint32_t)resp->head_len;
        c->uparse = c->ufwd;
        return;
    }
    bool raw200 = c->route == ROUTE_HIJACK && resp->status == 200 && resp->body == HTTP_BODY_CLOSE;
    if (resp->status == 101 || raw200) {
        if (c->route != ROUTE_HIJACK || (resp->status == 101 && !c->upgrade) || c->rq != RQ_DONE) {
            bad_response(c, "unexpected protocol switch");
            return;
        }
        enter_tunnel(c);
        return;
    }
    if (resp->keep_alive && (!c->req_keepalive || draining) && !announce_close(c, resp)) {
        conn_kill(c);
        return;
    }
    c->resp_body = (uint8_t)resp->body;
    c->resp_left = resp->content_length;
    c->resp_keepalive = resp->keep_alive;
    chunk_init(&c->resp_chunk);
    c->ufwd += (uint32_t)resp->head_len;
    c->uparse = c->ufwd;
    c->rs = resp->body == HTTP_BODY_NONE ||
                    (resp->body == HTTP_BODY_LENGTH && resp->content_length == 0)
                ? RS_DONE
                : RS_BODY;
    set_deadline(c, cfg->stream_idle_timeout_ms ? DL_STREAM : DL_NONE, cfg->stream_idle_timeout_ms);
}

static bool parse_response(struct conn *c)
{
    static struct http_response resp;
    struct http_error err;
    uint32_t avail = c->ubuf.len - c->uparse;
    if (!avail) {
        if (c->u_eof)
            bad_response(c, "connection closed before a response");
        return false;
    }
    int r = http_parse_response(buf_head(&c->ubuf) + c->uparse, avail, c->is_head,
                                cfg->limits.max_head_bytes, &resp, &err);
    if (r < 0) {
        bad_response(c, err.reason);
        return false;
    }
    if (r == 0) {
        if (c->u_eof)
            bad_response(c, "connection closed inside the response head");
        else if (buf_space(&c->ubuf) == 0 && c->ubuf.cap < cfg->limits.max_head_bytes + 4)
            buf_grow(&c->ubuf, cfg->limits.max_head_bytes + 4);
        return false;
    }
    response_head(c, &resp);
    return true;
}

static bool frame_response_body(struct conn *c)
{
    uint32_t avail = c->ubuf.len - c->uparse;
    if (c->resp_body == HTTP_BODY_CLOSE) {
        c->ufwd = c->uparse = c->ubuf.len;
        if (c->u_eof)
            c->rs = RS_DONE;
        return avail > 0;
    }
    if (!avail) {
        if (c->u_eof)
            conn_kill(c); /* truncated body: the client must see the connection end */
        return false;
    }
    uint32_t used;
    enum chunk_result r = frame_body(c->resp_body, &c->resp_left, &c->resp_chunk,
                                     buf_head(&c->ubuf) + c->uparse, avail, &used);
    c->uparse += used;
    if (r == CHUNK_DONE) {
        c->rs = RS_DONE;
    } else if (r == CHUNK_ERROR) {
        log_msg(SWLOG_ERR, "upstream: malformed chunked response to %s %s", c->method, c->target);
        conn_kill(c);
    }
    c->ufwd = c->uparse;
    return true;
}

static bool upstream_read(struct conn *c)
{
    if (!c->up || c->connecting)
        return false;
    /* A slow client slows the engine, not our memory: at most MAX_BUFFER_BYTES wait for it, or
     * a response head of up to MAX_HEADER_BYTES. */
    size_t limit = c->rs == RS_HEAD && c->ubuf.p ? c->ubuf.cap : cfg->max_buffer_bytes;
    return read_into(c->up->fd, &c->ubuf, limit, c->u_hup, &c->u_rd, &c->u_eof);
}

/* A kept-alive engine connection may be closed by the engine just as we reuse it; a GET or HEAD
 * without a body can then be sent again on a fresh connection. Nothing else: a POST or DELETE
 * may already have acted (a kill, a start), and must never run twice (RFC 9112 §9.3.1.1). */
static bool retry_on_fresh(struct conn *c)
{
    if (!c->reused || c->req_body != HTTP_BODY_NONE || !c->hbuf.p || c->ubuf.len ||
        c->rs != RS_HEAD)
        return false;
    if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0)
        return false;
    close_upstream(c);
    c->hsent = 0;
    start_upstream(c);
    return true;
}

static bool process_upstream(struct conn *c)
{
    if (!c->up || c->canned || c->dead)
        return false;
    switch (c->rs) {
    case RS_IDLE:
        /* Bytes or EOF from an idle engine connection: it is of no further use. */
        if (c->u_eof || c->ubuf.len) {
            close_upstream(c);
            return true;
        }
        return false;
    case RS_HEAD:
        if (c->u_eof && !c->ubuf.len && retry_on_fresh(c))
            return true;
        if (!parse_response(c))
            return false;
        /* Frame the body bytes that came with the head too, so both leave in one write. */
        if (c->rs == RS_BODY)
            frame_response_body(c);
        return true;
    case RS_BODY:
        return frame_response_body(c);
    case RS_TUNNEL:
        if (c->ufwd != c->ubuf.len) {
            c->ufwd = c->ubuf.len;
            return true;
        }
        return false;
    default:
        return false;
    }
}

/* ---- transaction end ---------------------------------------------------------------------- */

static bool finish_transaction(struct conn *c)
{
    if (c->rs != RS_DONE || c->canned || c->linger || c->ufwd || c->dead)
        return false;
    log_transaction(c);
    bool engine_clean = c->resp_keepalive && c->ubuf.len == c->uparse && c->rq == RQ_DONE &&
                        c->resp_body != HTTP_BODY_CLOSE;
    bool client_ok = c->req_keepalive && c->rq == RQ_DONE && c->resp_body != HTTP_BODY_CLOSE &&
                     !draining && !c->c_eof;
    if (!engine_clean || draining || !cfg->upstream_keepalive)
        close_upstream(c);
    else if (!client_ok)
        park_upstream(c);
    else
        buf_put(&c->ubuf);
    c->uparse = 0;
    if (!client_ok) {
        conn_kill(c);
        return false;
    }
    c->rq = RQ_HEAD;
    c->rs = RS_IDLE;
    set_deadline(c, DL_IDLE, cfg->keepalive_timeout_ms);
    return true;
}

static void tunnel_check_end(struct conn *c)
{
    if (c->rs != RS_TUNNEL)
        return;
    bool up_done = c->c_eof && c->rbuf.len == 0 && c->u_shut;
    bool down_done = c->u_eof && c->ubuf.len == 0 && c->c_shut;
    if (up_done && down_done)
        conn_kill(c);
}

/* ---- the pump ----------------------------------------------------------------------------- */

static void refresh_deadline(struct conn *c, bool progress)
{
    if (c->dl == DL_STREAM && progress)
        set_deadline(c, DL_STREAM, cfg->stream_idle_timeout_ms);
    if (c->rq == RQ_HEAD && c->rs == RS_IDLE && c->rbuf.len && c->dl == DL_IDLE)
        set_deadline(c, DL_REQUEST, cfg->request_timeout_ms);
}

/* Empty buffers go back to the pool at once, so idle and slow connections own none; a buffer
 * grown for a fast stream (up to MAX_BUFFER_BYTES) stays while that stream lasts, or it would be
 * regrown on every turn. */
static bool streaming(const struct conn *c)
{
    return c->rq == RQ_BODY || c->rq == RQ_TUNNEL || c->rs == RS_BODY;
}

/* Returns the empty buffers to the pool, except grown ones while keep_grown says so. */
static void release_empty_buffers(struct conn *c, bool keep_grown)
{
    if (c->rbuf.p && c->rbuf.len == 0 && !(c->rbuf.cap > BUF_SIZE && keep_grown))
        buf_put(&c->rbuf);
    if (c->ubuf.p && c->ubuf.len == 0 && !(c->ubuf.cap > BUF_SIZE && keep_grown))
        buf_put(&c->ubuf);
}

static void pump(struct conn *c)
{
    bool any = false;
    /* Edge-triggered: a connection that still has work when its turn ends goes on the ready
     * list, so one busy stream cannot starve the others and no readiness edge is lost. */
    int guard = 0;
    for (; guard < 64 && !c->dead; guard++) {
        bool p = false;
        p |= client_read(c);
        p |= process_client(c);
        p |= upstream_write(c);
        p |= upstream_read(c);
        p |= process_upstream(c);
        p |= client_write(c);
        p |= finish_transaction(c);
        if (!p)
            break;
        any = true;
    }
    if (guard == 64 && !c->dead)
        make_ready(c);
    if (c->dead) {
        conn_free(c);
        return;
    }
    tunnel_check_end(c);
    if (c->dead) {
        conn_free(c);
        return;
    }
    if (c->c_eof && c->rq == RQ_HEAD && c->rs == RS_IDLE && !c->canned && !c->linger) {
        conn_free(c);
        return;
    }
    refresh_deadline(c, any);
    c->moved |= any;
    release_empty_buffers(c, streaming(c));
    if (!c->c_registered && !c->queued && !client_unwatched_ok(c)) {
        client_watch(c);
        if (c->dead)
            conn_free(c);
    }
}

/* ---- accepting ---------------------------------------------------------------------------- */

static struct conn *conn_alloc(void)
{
    struct conn *c = spare;
    if (!c)
        return calloc(1, sizeof *c);
    spare = c->next;
    nspare--;
    memset(c, 0, sizeof *c);
    return c;
}

static void conn_new(int fd, bool metrics, const struct sockaddr_storage *peer, socklen_t plen)
{
    struct conn *c = conn_alloc();
    if (!c) {
        close(fd);
        return;
    }
    c->cev.tag = EV_CLIENT;
    c->cfd = fd;
    c->metrics = metrics;
    if (!metrics)
        metrics_connection_opened();
    memcpy(&c->peer, peer, plen < sizeof c->peer ? plen : sizeof c->peer);
    c->next = conns;
    if (conns)
        conns->prev = c;
    conns = c;
    nconns++;
    set_deadline(c, DL_FIRST, cfg->request_timeout_ms);
    /* The request is often there already (a client writes as soon as it is connected): serve it
     * before registering, so the registration raises no event for bytes already read. */
    c->c_rd = c->c_wr = true;
    pump(c);
}

static void accept_from(struct lst *l)
{
    while (!draining) {
        if (nconns >= cfg->max_connections) {
            accept_paused = true;
            uint64_t t = now_ms();
            if (t - last_cap_log > 10000 || !last_cap_log) {
                log_msg(SWLOG_WARNING,
                        "connection limit reached (MAX_CONNECTIONS=%u): new "
                        "connections wait in the listen queue",
                        cfg->max_connections);
                last_cap_log = t;
            }
            return;
        }
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        int fd = accept4(l->l->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                log_msg(SWLOG_ERR, "accept on %s: %s", l->l->name, strerror(errno));
                accept_paused = true;
            }
            return;
        }
        conn_new(fd, l->l->metrics, &peer, plen);
    }
}

static void try_accept(void)
{
    accept_paused = false;
    for (int i = 0; i < nlsts && !accept_paused; i++)
        accept_from(&lsts[i]);
}

/* ---- timers and shutdown ------------------------------------------------------------------ */

static void request_timeout(struct conn *c)
{
    mark_unparsed(c);
    answer(c, 408, "request head not complete in time (REQUEST_TIMEOUT)", "error",
           "request-timeout");
}

static void on_deadline(struct conn *c)
{
    switch (c->dl) {
    case DL_REQUEST:
        request_timeout(c);
        break;
    case DL_CONNECT:
        log_msg(SWLOG_ERR, "upstream: connecting to the engine timed out (CONNECT_TIMEOUT)");
        metrics_upstream_error(UC_CONNECT_TIMEOUT);
        answer(c, 503, "the engine did not accept the connection in time", "error",
               "connect-timeout");
        break;
    case DL_RESPONSE:
        if (nothing_sent(c)) {
            log_msg(SWLOG_WARNING, "upstream: no response head for %s %s within RESPONSE_TIMEOUT",
                    c->method, c->target);
            metrics_upstream_error(UC_RESPONSE_TIMEOUT);
            answer(c, 504, NULL, "error", "response-timeout");
        } else {
            conn_kill(c);
        }
        break;
    case DL_FIRST:
        if (c->rbuf.len)
            request_timeout(c);
        else
            conn_kill(c); /* connected and never spoke: closed without a word, like HAProxy */
        break;
    default: /* keep-alive idle, stream idle, linger: just close */
        conn_kill(c);
    }
    if (c->dead)
        conn_free(c);
    else
        pump(c);
}

static void check_deadlines(void)
{
    uint64_t t = now_ms();
    struct conn *next;
    for (struct conn *c = conns; c; c = next) {
        next = c->next;
        /* A stream keeps a buffer it grew while its bytes keep moving (freeing it between reads
         * would cost an allocation and page faults per read); one that stood still for a tick
         * gives it back. */
        release_empty_buffers(c, c->moved);
        c->moved = false;
        if (!c->c_registered) {
            client_watch(c); /* an EOF already there arrives as an event in the next batch */
            if (c->dead) {
                conn_free(c);
                continue;
            }
        }
        if (c->deadline && t >= c->deadline)
            on_deadline(c);
    }
}

static void begin_drain(int sig)
{
    if (draining)
        return;
    draining = true;
    drain_deadline = now_ms() + cfg->grace_ms;
    log_msg(SWLOG_NOTICE, "signal %d: no longer accepting; draining %u connection(s) for up to %u ms",
            sig, nconns, cfg->grace_ms);
    close_parked();
    for (int i = 0; i < nlsts; i++) {
        epoll_ctl(ep, EPOLL_CTL_DEL, lsts[i].l->fd, NULL);
        close(lsts[i].l->fd);
        lsts[i].l->fd = -1;
    }
    struct conn *next;
    for (struct conn *c = conns; c; c = next) {
        next = c->next;
        if (c->rq == RQ_HEAD && c->rs == RS_IDLE && c->rbuf.len == 0 && !c->canned)
            conn_free(c); /* idle keep-alive: nothing to finish */
        else if (c->route == ROUTE_EVENTS && c->rs == RS_BODY)
            conn_free(c); /* an event stream never finishes; its client reconnects elsewhere */
        else
            c->req_keepalive = false;
    }
}

static void handle_signals(int sfd)
{
    struct signalfd_siginfo si;
    while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
        begin_drain((int)si.ssi_signo);
}

static void handle_event(struct epoll_event *e)
{
    struct ev *tag = e->data.ptr;
    if (tag->tag == EV_LISTENER) {
        accept_from((struct lst *)(void *)tag);
        return;
    }
    struct conn *c;
    if (tag->tag == EV_UPSTREAM) {
        struct upconn *u = (struct upconn *)(void *)tag;
        if (u->dead)
            return;
        if (!u->owner) {
            parked_event(u, e->events);
            return;
        }
        c = u->owner;
    } else {
        c = conn_of(tag);
    }
    if (c->freed)
        return;
    bool in = e->events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
    bool out = e->events & (EPOLLOUT | EPOLLHUP | EPOLLERR);
    bool hup = e->events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
    if (tag->tag == EV_CLIENT) {
        c->c_rd |= in;
        c->c_wr |= out;
        c->c_hup |= hup;
    } else {
        c->u_rd |= in;
        c->u_wr |= out;
        c->u_hup |= hup;
        if (c->connecting && out) {
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            getsockopt(c->up->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
            c->connecting = false;
            if (soerr) {
                upstream_failed(c, soerr);
            } else {
                response_wait_deadline(c);
            }
        }
    }
    pump(c);
}

static int setup(struct listener *ls, int nls, int *sfd)
{
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return -1;
    lsts = calloc((size_t)nls, sizeof *lsts);
    if (!lsts)
        return -1;
    nlsts = nls;
    for (int i = 0; i < nls; i++) {
        lsts[i].ev.tag = EV_LISTENER;
        lsts[i].l = &ls[i];
        struct epoll_event ee = {.events = EPOLLIN | EPOLLET, .data.ptr = &lsts[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, ls[i].fd, &ee) < 0)
            return -1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    *sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    static struct ev sig_ev = {EV_SIGNAL};
    struct epoll_event ee = {.events = EPOLLIN, .data.ptr = &sig_ev};
    if (*sfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, *sfd, &ee) < 0)
        return -1;
    return 0;
}

static void run_ready(void)
{
    struct conn *list = ready_list;
    ready_list = NULL;
    while (list) {
        struct conn *c = list;
        list = c->next_ready;
        c->queued = false;
        if (!c->freed)
            pump(c);
    }
}

static void bury(void)
{
    while (up_graveyard) {
        struct upconn *u = up_graveyard;
        up_graveyard = u->next;
        free(u);
    }
    while (graveyard) {
        struct conn *c = graveyard;
        graveyard = c->next;
        if (nspare < SPARE_MAX && !draining) {
            c->next = spare;
            spare = c;
            nspare++;
        } else {
            free(c);
        }
    }
}

static void teardown(int sfd)
{
    while (conns)
        conn_free(conns);
    close_parked();
    bury();
    while (spare) {
        struct conn *c = spare;
        spare = c->next;
        free(c);
    }
    nspare = 0;
    for (int i = 0; i < nlsts; i++)
        if (lsts[i].l->fd >= 0)
            close(lsts[i].l->fd);
    free(lsts);
    lsts = NULL;
    close(sfd);
    close(ep);
}

int proxy_run(const struct config *c, struct listener *ls, int nls)
{
    int sfd = -1;
    cfg = c;
    if (setup(ls, nls, &sfd) < 0) {
        log_msg(SWLOG_ERR, "event loop set-up failed: %s", strerror(errno));
        return 1;
    }
    struct epoll_event evs[256];
    uint64_t next_tick = now_ms() + 250;
    while (!draining || (nconns > 0 && now_ms() < drain_deadline)) {
        int timeout = ready_list ? 0 : (int)(next_tick > now_ms() ? next_tick - now_ms() : 0);
        int n = epoll_wait(ep, evs, 256, timeout);
        hold_writes = n > 1;
        for (int i = 0; i < n; i++) {
            struct ev *tag = evs[i].data.ptr;
            if (tag->tag == EV_SIGNAL)
                handle_signals(sfd);
            else
                handle_event(&evs[i]);
        }
        if (now_ms() >= next_tick) {
            check_deadlines();
            next_tick = now_ms() + 250;
        }
        hold_writes = false;
        run_ready();
        if (accept_retry) {
            accept_retry = false;
            try_accept();
        }
        bury();
    }
    if (nconns)
        log_msg(SWLOG_WARNING, "grace period over: closing %u connection(s)", nconns);
    teardown(sfd);
    log_msg(SWLOG_NOTICE, "stopped");
    return 0;
}

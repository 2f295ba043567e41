/* conn — lifecycle, canned answers and linger, writing, the pump, deadlines and invariants.
 * The request and response halves are in request.c and response.c (exchange.h). */
#include "core/conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/metrics.h"
#include "core/exchange.h"
#include "http/errpage.h"

void conn_kill(struct conn *c)
{
    c->dead = true;
}

static void conn_task(struct loop_task *t)
{
    struct conn *c = (struct conn *)(void *)((char *)t - offsetof(struct conn, task));
    if (!c->freed)
        conn_pump(c);
}

void conn_ready(struct conn *c)
{
    loop_ready(&c->px->loop, &c->task);
}

void conn_set_deadline(struct conn *c, enum dl_kind k, unsigned ms)
{
    c->dl = ms == 0 ? DL_NONE : k;
    c->deadline = (k == DL_NONE || ms == 0) ? 0 : loop_now_ms() + ms;
}

void conn_pin(struct conn *c)
{
    if (!c->gen)
        c->gen = gen_ref(c->px->gen);
}

void conn_unpin(struct conn *c)
{
    gen_unref(c->gen);
    c->gen = NULL;
}

/* ---- idle list (eviction at MAX_CONNECTIONS) --------------------------------------------- */

bool conn_is_idle(const struct conn *c)
{
    return c->rq == RQ_HEAD && c->rs == RS_IDLE && c->client.buf.len == 0 && !c->canned &&
           !c->linger && !c->dead && !c->metrics;
}

static void idle_remove(struct conn *c)
{
    struct proxy *px = c->px;
    if (!c->on_idle)
        return;
    if (c->idle_prev)
        c->idle_prev->idle_next = c->idle_next;
    else
        px->idle_head = c->idle_next;
    if (c->idle_next)
        c->idle_next->idle_prev = c->idle_prev;
    else
        px->idle_tail = c->idle_prev;
    c->idle_prev = c->idle_next = NULL;
    c->on_idle = false;
}

static void idle_update(struct conn *c)
{
    bool idle = conn_is_idle(c);
    if (idle == c->on_idle)
        return;
    if (!idle) {
        idle_remove(c);
        return;
    }
    struct proxy *px = c->px;
    c->idle_prev = px->idle_tail;
    c->idle_next = NULL;
    if (px->idle_tail)
        px->idle_tail->idle_next = c;
    else
        px->idle_head = c;
    px->idle_tail = c;
    c->on_idle = true;
}

/* ---- engine connection ------------------------------------------------------------------- */

void conn_attach_engine(struct conn *c, struct upconn *u, bool rd, bool wr)
{
    c->up = u;
    c->engine =
        (struct side){.fd = u->fd, .ops = u->ops, .out_armed = u->out_armed, .rd = rd, .wr = wr};
}

void conn_close_engine(struct conn *c)
{
    if (c->up)
        upstream_close(&c->px->pool, c->up);
    c->up = NULL;
    buf_put(&c->px->bufs, &c->engine.buf);
    c->engine = (struct side){.fd = -1, .ops = &sock_plain};
    c->connecting = c->reused = false;
    c->uparse = 0;
}

/* Hands a clean engine connection to the shared pool (or closes it when it is not clean). */
void conn_park_engine(struct conn *c)
{
    struct upconn *u = c->up;
    if (!u)
        return;
    bool clean = !c->engine.eof && !c->engine.hup && !c->engine.buf.len && !c->connecting &&
                 conn_cfg(c)->upstream_keepalive && !c->px->draining;
    u->out_armed = c->engine.out_armed;
    c->up = NULL;
    upstream_park(&c->px->pool, u, clean);
    conn_close_engine(c);
}

/* ---- held bodies ------------------------------------------------------------------------- */

bool conn_hold_room(struct conn *c, size_t n)
{
    if (!c->hold && !(c->hold = calloc(1, sizeof *c->hold)))
        return false;
    struct buf *b = &c->hold->buf;
    size_t need = (size_t)b->len + n;
    if (b->p && b->cap >= need)
        return true;
    size_t old = b->p ? b->cap : 0;
    size_t cap = old ? old : BUF_SIZE;
    while (cap < need)
        cap *= 2;
    if (c->px->held_bytes - old + cap > c->px->held_cap)
        return false;
    int r = !b->p && buf_get(&c->px->bufs, b) < 0 ? -1 : buf_grow(&c->px->bufs, b, cap);
    c->px->held_bytes += (b->p ? b->cap : 0) - old;
    return r == 0;
}

void conn_hold_release(struct conn *c)
{
    if (!c->hold)
        return;
    if (c->hold->buf.p)
        c->px->held_bytes -= c->hold->buf.cap;
    buf_put(&c->px->bufs, &c->hold->buf);
    free(c->hold);
    c->hold = NULL;
}

/* ---- access line ------------------------------------------------------------------------- */

void conn_log_transaction(struct conn *c)
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
        .duration_ms = loop_now_ms() - c->t_start,
        .decision = c->decision ? c->decision : "error",
        .rule = c->rule ? c->rule : "-",
    };
    log_access(&e);
    if (!c->metrics)
        metrics_request(&c->px->metrics, e.decision, c->section ? c->section : "none", c->status,
                        c->bytes_out, e.duration_ms);
    c->method[0] = '\0';
}

/* ---- lifecycle --------------------------------------------------------------------------- */

void conn_free(struct conn *c)
{
    struct proxy *px = c->px;
    conn_log_transaction(c);
    if (c->rs == RS_IDLE)
        conn_park_engine(c);
    else
        conn_close_engine(c);
    if (c->rs == RS_TUNNEL) /* a tunnel never leaves that state but to be freed */
        px->ntunnels--;
    idle_remove(c);
    side_close(&c->client, &c->px->bufs);
    buf_put(&c->px->bufs, &c->hbuf);
    conn_hold_release(c);
    conn_unpin(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        px->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    px->nconns--;
    /* Freed after the current epoll batch: it may still hold an event for this connection. */
    c->freed = true;
    c->next = px->graveyard;
    px->graveyard = c;
    proxy_conn_closed(px);
}

void conn_bury(struct proxy *px)
{
    upstream_bury(&px->pool);
    while (px->graveyard) {
        struct conn *c = px->graveyard;
        px->graveyard = c->next;
        if (px->nspare < SPARE_MAX && !px->draining) {
            c->next = px->spare;
            px->spare = c;
            px->nspare++;
        } else {
            free(c);
        }
    }
}

void conn_release_spares(struct proxy *px)
{
    while (px->spare) {
        struct conn *c = px->spare;
        px->spare = c->next;
        free(c);
    }
    px->nspare = 0;
}

static void client_event(struct loop_ev *ev, uint32_t events)
{
    struct conn *c = (struct conn *)(void *)ev;
    if (c->freed)
        return;
    side_event(&c->client, events);
    conn_pump(c);
}

void conn_engine_event(struct conn *c, uint32_t events)
{
    if (c->freed)
        return;
    side_event(&c->engine, events);
    if (c->connecting && (c->engine.wr)) {
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        getsockopt(c->engine.fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        c->connecting = false;
        if (soerr)
            req_engine_failed(c, soerr);
        else
            req_response_deadline(c);
    }
    conn_pump(c);
}

void conn_new(struct proxy *px, int fd, const struct listener *l,
              const struct sockaddr_storage *peer, socklen_t plen)
{
    struct conn *c = px->spare;
    if (c) {
        px->spare = c->next;
        px->nspare--;
        memset(c, 0, sizeof *c);
    } else if (!(c = calloc(1, sizeof *c))) {
        close(fd);
        return;
    }
    c->cev.fn = client_event;
    c->task.fn = conn_task;
    c->px = px;
    c->lst = l;
    c->metrics = l && l->metrics;
    /* The request is often there already (a client writes as soon as it is connected): serve it
     * before registering, so the registration raises no event for bytes already read. */
    side_open(&c->client, fd, true, true);
    c->engine = (struct side){.fd = -1, .ops = &sock_plain};
    if (!c->metrics)
        metrics_connection_opened(&px->metrics);
    if (peer)
        memcpy(&c->peer, peer, plen < sizeof c->peer ? plen : sizeof c->peer);
    if (l && l->is_unix) { /* who is calling: the rules can match a unix client's uid and gid */
        struct ucred uc;
        socklen_t ul = sizeof uc;
        c->cred.family = AF_UNIX;
        c->cred.known = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &ul) == 0;
        c->cred.uid = c->cred.known ? uc.uid : (uid_t)-1;
        c->cred.gid = c->cred.known ? uc.gid : (gid_t)-1;
        c->cred.pid = c->cred.known ? uc.pid : 0;
    }
    c->next = px->conns;
    if (px->conns)
        px->conns->prev = c;
    px->conns = c;
    px->nconns++;
    conn_set_deadline(c, DL_FIRST, conn_cfg(c)->request_timeout_ms);
    conn_pump(c);
}

/* ---- proxy-generated answers ------------------------------------------------------------- */

/* After our own answer the connection closes, but only once the client has read it: closing with
 * unread input would reset the connection and could destroy the answer in flight. */
void conn_answer_bytes(struct conn *c, int status, const char *bytes, size_t len,
                       const char *decision, const char *rule)
{
    conn_pin(c);
    c->status = status;
    c->decision = decision;
    c->rule = rule;
    c->client.fwd = 0;
    c->rq = RQ_DONE;
    c->rs = RS_DONE;
    conn_hold_release(c);
    conn_close_engine(c);
    buf_put(&c->px->bufs, &c->hbuf);
    if (buf_get(&c->px->bufs, &c->hbuf) < 0 || buf_grow(&c->px->bufs, &c->hbuf, len) < 0) {
        conn_kill(c);
        return;
    }
    memcpy(buf_tail(&c->hbuf), bytes, len);
    c->hbuf.len = (uint32_t)len;
    c->hsent = 0;
    c->canned = true;
    conn_set_deadline(c, DL_LINGER, LINGER_MS);
}

void conn_answer(struct conn *c, int status, const char *reason, const char *decision,
                 const char *rule)
{
    if (status == 403) {
        size_t len, head_len;
        const char *page = errpage_403(&len, &head_len);
        conn_answer_bytes(c, 403, page, c->is_head ? head_len : len, decision, rule);
        return;
    }
    char tmp[1024];
    size_t n = errpage_format(tmp, sizeof tmp, status, reason, c->is_head);
    conn_answer_bytes(c, status, tmp, n, decision, rule);
}

/* Nothing of the engine's answer has reached the client yet: an error page can still be sent. */
bool conn_nothing_sent(const struct conn *c)
{
    return c->bytes_out == 0 && c->engine.fwd == 0;
}

/* ---- writing ----------------------------------------------------------------------------- */

/* Puts the client socket into the epoll set. The kernel reports the current state on adding, so
 * whatever happened on the socket before (bytes, a FIN) is not missed. */
static void client_watch(struct conn *c)
{
    if (loop_watch(&c->px->loop, c->client.fd, &c->cev, c->client.out_armed) < 0) {
        log_msg(SWLOG_ERR, "epoll_ctl for a client connection: %s", strerror(errno));
        conn_kill(c);
        return;
    }
    c->registered = true;
}

ssize_t conn_send(struct conn *c, struct side *s, const struct iovec *iov, int n)
{
    if (loop_hold_writes(&c->px->loop)) {
        conn_ready(c);
        return 0;
    }
    ssize_t w = side_send(s, iov, n);
    if (w != 0 || s->wr)
        return w;
    /* Would block: watch for writability. */
    if (s == &c->client && !c->registered) {
        s->out_armed = true; /* registered with EPOLLOUT from the start */
        client_watch(c);
    } else if (loop_arm_out(&c->px->loop, s->fd, s == &c->client ? &c->cev : &c->up->ev,
                            &s->out_armed) < 0) {
        return -1;
    }
    return 0;
}

bool conn_tunnel_pass(struct side *from)
{
    if (from->fwd == from->buf.len)
        return false;
    from->fwd = from->buf.len;
    return true;
}

bool conn_tunnel_fin(struct conn *c, struct side *from, struct side *to)
{
    if (c->rq != RQ_TUNNEL || !from->eof || from->buf.len || to->shut)
        return false;
    side_shutdown(to);
    return true;
}

/* The client has read our answer's bytes or not; either way its input is read and dropped, a
 * bounded amount per turn and in all, until it closes or the linger deadline passes. */
static bool linger_read(struct conn *c)
{
    if (!c->client.rd)
        return false;
    ssize_t n = side_discard(&c->client, LINGER_TURN_BYTES);
    if (n < 0 || loop_now_ms() >= c->deadline) {
        conn_kill(c);
        return false;
    }
    c->discarded += (uint32_t)n;
    if (c->discarded >= LINGER_MAX_BYTES)
        conn_kill(c);
    else if (c->client.rd)
        conn_ready(c); /* more waits: after the other connections' turn */
    return false;
}

static bool client_read(struct conn *c)
{
    if (c->linger)
        return linger_read(c);
    bool p = req_read(c);
    if (c->on_idle && (c->client.buf.len || c->client.eof))
        idle_remove(c); /* a request begins (joins the idle list again at the end of the pump) */
    return p;
}

/* ---- the pump ---------------------------------------------------------------------------- */

static void refresh_deadline(struct conn *c, bool progress)
{
    const struct config *cfg = conn_cfg(c);
    if (c->dl == DL_STREAM && progress)
        conn_set_deadline(c, DL_STREAM, cfg->stream_idle_timeout_ms);
    if (c->rq == RQ_HEAD && c->rs == RS_IDLE && c->client.buf.len && c->dl == DL_IDLE)
        conn_set_deadline(c, DL_REQUEST, cfg->request_timeout_ms);
}

/* Empty buffers go back to the pool at once, so idle and slow connections own none; a buffer
 * grown for a fast stream (up to MAX_BUFFER_BYTES) stays while that stream lasts, or it would be
 * regrown on every turn. */
static bool streaming(const struct conn *c)
{
    return c->rq == RQ_BODY || c->rq == RQ_TUNNEL || c->rs == RS_BODY;
}

static void release_empty_buffers(struct conn *c, bool keep_grown)
{
    struct buf *r = &c->client.buf, *u = &c->engine.buf;
    if (r->p && r->len == 0 && !(r->cap > BUF_SIZE && keep_grown))
        buf_put(&c->px->bufs, r);
    if (u->p && u->len == 0 && !(u->cap > BUF_SIZE && keep_grown))
        buf_put(&c->px->bufs, u);
}

/* A client whose whole request has gone to the engine and who expects nothing after the answer
 * needs no watching until the answer starts: a one-request connection (the docker CLI, a
 * health check) is then served and closed without ever entering the epoll set. One still waiting
 * at the next tick is registered then (conn_tick), so a client that leaves during a slow answer
 * is noticed within a tick or two. */
static bool unwatched_ok(const struct conn *c)
{
    return c->rq == RQ_DONE && c->rs == RS_HEAD && !c->req_keepalive && c->client.wr &&
           !c->canned && !c->linger && c->engine.buf.len == 0;
}

static void client_write_canned(struct conn *c, bool *progress)
{
    if (!c->canned || !c->client.wr || c->client.shut)
        return;
    struct iovec iov = {buf_head(&c->hbuf) + c->hsent, c->hbuf.len - c->hsent};
    ssize_t w = conn_send(c, &c->client, &iov, 1);
    if (w < 0) {
        conn_kill(c);
        return;
    }
    if (w == 0)
        return;
    *progress = true;
    c->bytes_out += (uint64_t)w;
    c->hsent += (uint32_t)w;
    if (c->hsent == c->hbuf.len) {
        /* Half-close, then read and discard until the client closes (or the linger ends). */
        c->canned = false;
        buf_put(&c->px->bufs, &c->hbuf);
        side_shutdown(&c->client);
        c->linger = true;
        conn_log_transaction(c);
    }
}

static bool finish_pump(struct conn *c, bool any)
{
    if (!c->dead)
        resp_tunnel_check_end(c);
    if (!c->dead && c->client.eof && c->rq == RQ_HEAD && c->rs == RS_IDLE && !c->canned &&
        !c->linger)
        conn_kill(c);
    if (c->dead) {
        conn_free(c);
        return false;
    }
    refresh_deadline(c, any);
    c->moved |= any;
    release_empty_buffers(c, streaming(c));
    idle_update(c);
    if (!c->registered && !c->task.queued && !unwatched_ok(c)) {
        client_watch(c);
        if (c->dead) {
            conn_free(c);
            return false;
        }
    }
    return true;
}

void conn_pump(struct conn *c)
{
    bool any = false;
    int round = 0;
    for (; round < CONN_PUMP_ROUNDS && !c->dead; round++) {
        bool p = false;
        p |= client_read(c);
        p |= req_process(c);
        p |= req_write(c);
        p |= resp_read(c);
        p |= resp_process(c);
        p |= resp_write(c);
        client_write_canned(c, &p);
        p |= resp_finish(c);
#ifdef SW_INVARIANTS
        if (!c->dead)
            conn_check(c);
#endif
        if (!p)
            break;
        any = true;
    }
    if (round == CONN_PUMP_ROUNDS && !c->dead)
        conn_ready(c);
    finish_pump(c, any);
}

/* ---- deadlines --------------------------------------------------------------------------- */

static void request_timeout(struct conn *c)
{
    if (c->rq != RQ_HOLD)
        req_mark_unparsed(c);
    conn_answer(c, 408,
                c->rq == RQ_HOLD ? "request body not complete in time (REQUEST_TIMEOUT)"
                                 : "request head not complete in time (REQUEST_TIMEOUT)",
                "error", "request-timeout");
}

static void on_deadline(struct conn *c)
{
    switch (c->dl) {
    case DL_REQUEST:
        request_timeout(c);
        break;
    case DL_CONNECT:
        log_msg(SWLOG_ERR, "upstream: connecting to the engine timed out (CONNECT_TIMEOUT)");
        metrics_upstream_error(&c->px->metrics, UC_CONNECT_TIMEOUT);
        conn_answer(c, 503, "the engine did not accept the connection in time", "error",
                    "connect-timeout");
        break;
    case DL_RESPONSE:
        if (conn_nothing_sent(c)) {
            log_msg(SWLOG_WARNING, "upstream: no response head for %s %s within RESPONSE_TIMEOUT",
                    c->method, c->target);
            metrics_upstream_error(&c->px->metrics, UC_RESPONSE_TIMEOUT);
            conn_answer(c, 504, NULL, "error", "response-timeout");
        } else {
            conn_kill(c);
        }
        break;
    case DL_FIRST:
        if (c->client.buf.len)
            request_timeout(c);
        else
            conn_kill(c); /* connected and never spoke: closed without a word, like HAProxy */
        break;
    case DL_NONE:
    case DL_IDLE:
    case DL_STREAM:
    case DL_LINGER:
        conn_kill(c);
        break;
    }
    if (c->dead)
        conn_free(c);
    else
        conn_pump(c);
}

void conn_tick(struct conn *c, uint64_t now)
{
    /* A stream keeps a buffer it grew while its bytes keep moving (freeing it between reads would
     * cost an allocation and page faults per read); one that stood still for a tick gives it
     * back. */
    release_empty_buffers(c, c->moved);
    c->moved = false;
    if (!c->registered) {
        client_watch(c); /* an EOF already there arrives as an event in the next batch */
        if (c->dead) {
            conn_free(c);
            return;
        }
    }
    if (c->deadline && now >= c->deadline)
        on_deadline(c);
}

bool conn_drain(struct conn *c)
{
    if (c->rq == RQ_HEAD && c->rs == RS_IDLE && c->client.buf.len == 0 && !c->canned) {
        conn_free(c); /* idle keep-alive: nothing to finish */
        return true;
    }
    if (c->route == ROUTE_EVENTS && c->rs == RS_BODY) {
        conn_free(c); /* an event stream never finishes; its client reconnects elsewhere */
        return true;
    }
    c->req_keepalive = false;
    return false;
}

/* ---- invariants (conn.h) ------------------------------------------------------------------ */

static bool legal_pair(enum rq_state rq, enum rs_state rs)
{
    switch (rq) {
    case RQ_HEAD:
    case RQ_HOLD:
        return rs == RS_IDLE;
    case RQ_BODY:
    case RQ_DONE:
        return rs != RS_IDLE && rs != RS_TUNNEL;
    case RQ_TUNNEL:
        return rs == RS_TUNNEL;
    }
    return false;
}

#define INVARIANT(cond)                                                                            \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            log_msg(SWLOG_CRIT, "connection invariant broken: %s (rq=%d rs=%d)", #cond,            \
                    (int)c->rq, (int)c->rs);                                                       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

void conn_check(const struct conn *c)
{
    INVARIANT(legal_pair(c->rq, c->rs));
    INVARIANT(!c->canned || (c->rq == RQ_DONE && c->rs == RS_DONE));
    INVARIANT(!c->linger || (!c->canned && c->client.shut && c->rq == RQ_DONE && c->rs == RS_DONE));
    INVARIANT(!c->canned || (c->hbuf.p && c->hsent <= c->hbuf.len));
    INVARIANT(c->canned || c->linger ||
              (c->rs != RS_HEAD && c->rs != RS_BODY && c->rs != RS_HOLD) || c->up);
    INVARIANT(!c->hbuf.p || c->hsent <= c->hbuf.len);
    INVARIANT(!c->hbuf.p || c->rs != RS_IDLE);
    INVARIANT(!c->hold || c->rq == RQ_HOLD || c->rs == RS_HOLD || c->rs == RS_SEND ||
              (c->rq == RQ_DONE && c->hold->sent < c->hold->buf.len - c->hold->head));
    INVARIANT((c->rq == RQ_HEAD && c->rs == RS_IDLE) || c->gen);
    INVARIANT(!c->on_idle || (c->rq == RQ_HEAD && c->rs == RS_IDLE && !c->canned && !c->linger &&
                              !c->client.buf.len));
    INVARIANT(c->client.fwd <= c->client.buf.len && c->engine.fwd <= c->engine.buf.len);
    INVARIANT(c->linger || c->uparse <= c->engine.buf.len);
    INVARIANT(!c->up || c->up->owner == c);
    INVARIANT(c->up || c->engine.fd < 0);
    INVARIANT(!c->freed);
}

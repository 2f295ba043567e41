/* request — the client's half of an exchange: reading and parsing the head, the decision,
 * forwarding the head, streaming or holding the body, connecting to the engine (exchange.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"
#include "core/exchange.h"
#include "http/canon.h"
#include "http/forward.h"

static void copy_view(char *dst, size_t cap, struct http_view v)
{
    size_t n = v.len < cap - 1 ? v.len : cap - 1;
    memcpy(dst, v.p, n);
    dst[n] = '\0';
    if (v.len > cap - 1 && cap > 4)
        memcpy(dst + cap - 4, "...", 4);
}

/* A request we answer without having parsed it still gets an access line, with "-" fields. */
void req_mark_unparsed(struct conn *c)
{
    c->t_start = loop_now_ms();
    strcpy(c->method, "-");
    strcpy(c->target, "-");
}

bool req_read(struct conn *c)
{
    const struct config *cfg = conn_cfg(c);
    struct buf *b = &c->client.buf;
    if (c->rq == RQ_HEAD && b->p && buf_space(b) == 0 && b->off == 0 &&
        b->cap < cfg->limits.max_head_bytes + 4)
        if (buf_grow(&c->px->bufs, b, cfg->limits.max_head_bytes + 4) < 0)
            return false;
    /* A head may need up to MAX_HEADER_BYTES; anything else (bodies, tunnel bytes, what a
     * pipelining client queues behind a response in flight) at most MAX_BUFFER_BYTES. */
    size_t limit = c->rq != RQ_HEAD ? cfg->max_buffer_bytes : b->cap > BUF_SIZE ? b->cap : BUF_SIZE;
    return side_read(&c->client, &c->px->bufs, limit);
}

/* ---- the engine connection ---------------------------------------------------------------- */

void req_response_deadline(struct conn *c)
{
    if (c->route == ROUTE_EVENTS)
        conn_set_deadline(c, DL_NONE, 0);
    else
        conn_set_deadline(c, DL_RESPONSE, conn_cfg(c)->response_timeout_ms);
}

void req_engine_failed(struct conn *c, int e)
{
    char why[400];
    net_upstream_diagnose(&c->px->boot->upstream, e, why, sizeof why);
    log_msg(SWLOG_ERR, "upstream: %s", why);
    metrics_upstream_error(&c->px->metrics, metrics_cause_from_errno(e));
    conn_answer(c, 503, NULL, "error", "upstream-unavailable");
}

void req_start_engine(struct conn *c)
{
    struct upconn *u;
    if (c->up) {
        c->reused = true;
        req_response_deadline(c);
        return;
    }
    if (conn_cfg(c)->upstream_keepalive && (u = upstream_take(&c->px->pool, c))) {
        conn_attach_engine(c, u, false, true); /* idle, so its send buffer is empty */
        c->reused = true;
        req_response_deadline(c);
        return;
    }
    bool in_progress;
    int err;
    u = upstream_connect(&c->px->pool, c, &in_progress, &err);
    if (!u) {
        req_engine_failed(c, err);
        return;
    }
    conn_attach_engine(c, u, false, !in_progress);
    c->reused = false;
    c->connecting = in_progress;
    if (in_progress)
        conn_set_deadline(c, DL_CONNECT, conn_cfg(c)->connect_timeout_ms);
    else
        req_response_deadline(c);
}

/* ---- the head ----------------------------------------------------------------------------- */

/* Who is asking, for the policy: the listener, and the peer's address or credentials. */
static void client_of(const struct conn *c, struct client_identity *id)
{
    const struct proxy *px = c->px;
    *id = (struct client_identity){.kind = CLIENT_TCP, .listener_name = c->lst ? c->lst->name : "-"};
    if (c->lst && px->nlsts)
        id->listener = (unsigned)(c->lst - px->lsts[0].l);
    if (c->peer.sin6_family == AF_INET6) {
        memcpy(id->addr, &c->peer.sin6_addr, 16);
        id->port = ntohs(c->peer.sin6_port);
    } else if (c->peer.sin6_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)&c->peer;
        id->addr[10] = id->addr[11] = 0xff;
        memcpy(id->addr + 12, &a->sin_addr, 4);
        id->port = ntohs(a->sin_port);
    } else if (c->peer.sin6_family == AF_UNIX) {
        id->kind = CLIENT_UNIX;
        id->cred_known = c->cred.known;
        id->uid = c->cred.uid;
        id->gid = c->cred.gid;
        id->pid = c->cred.pid;
    }
}

static struct verdict decide(struct conn *c, const struct http_request *req,
                             const struct canon *cn)
{
    struct client_identity id;
    struct request_facts f;
    client_of(c, &id);
    request_facts_build(&f, req, cn, &id);
    const struct proxy_hooks *h = &c->px->hooks;
    if (h->decide)
        return h->decide(h->ctx, c->gen, &f);
    return policy_decide(&c->gen->cfg.policy, &f);
}

static bool forward_head(struct conn *c, const struct http_request *req, const struct canon *cn,
                         bool replaced, uint64_t body_len)
{
    const struct config *cfg = conn_cfg(c);
    struct forward_request_opts o = {
        .upgrade = c->upgrade,
        .engine_keepalive = cfg->upstream_keepalive,
        .replace_length = replaced,
        .body_length = body_len,
    };
    size_t need = forward_request_head_bound(req, cn);
    if (buf_get(&c->px->bufs, &c->hbuf) < 0 || buf_grow(&c->px->bufs, &c->hbuf, need) < 0)
        return false;
    int n = forward_request_head(req, cn, &o, buf_tail(&c->hbuf), buf_space(&c->hbuf));
    if (n < 0)
        return false;
    c->hbuf.len += (uint32_t)n;
    c->hsent = 0;
    return true;
}

/* Holding: the raw head is copied first (it is parsed again, once, when the body is complete),
 * then the body bytes, decoded, as they arrive. */
static bool start_hold(struct conn *c, const struct http_request *req)
{
    const struct config *cfg = conn_cfg(c);
    if (req->body == HTTP_BODY_LENGTH && req->content_length > cfg->max_body_bytes) {
        conn_answer(c, 413, "request body larger than MAX_BODY_BYTES", "error", "body-too-large");
        return false;
    }
    if (!conn_hold_room(c, req->head_len)) {
        conn_answer(c, 503, "too many bodies held at once (MAX_HELD_BYTES)", "error",
                    "held-bytes");
        return false;
    }
    struct conn_hold *h = c->hold;
    memcpy(buf_tail(&h->buf), buf_head(&c->client.buf), req->head_len);
    h->buf.len = h->head = (uint32_t)req->head_len;
    h->request = true;
    chunk_decoder_init(&h->dec, cfg->max_body_bytes);
    c->rq = RQ_HOLD;
    conn_set_deadline(c, DL_REQUEST, cfg->request_timeout_ms);
    return true;
}

static void handle_request(struct conn *c, const struct http_request *req)
{
    struct canon *cn = &c->px->scratch_canon;
    const char *why;
    c->t_start = loop_now_ms();
    c->bytes_out = 0;
    c->status = 0;
    c->decision = c->rule = c->section = NULL;
    copy_view(c->method, sizeof c->method, req->method);
    copy_view(c->target, sizeof c->target, req->target);
    c->is_head = req->method.len == 4 && memcmp(req->method.p, "HEAD", 4) == 0;
    conn_pin(c);
    if (canon_target(req->target.p, req->target.len, cn, &why) < 0) {
        conn_answer(c, 400, why, "error", why);
        return;
    }
    if (c->metrics) {
        proxy_serve_metrics(c, cn);
        return;
    }
    struct verdict v = decide(c, req, cn);
    c->section = section_name(v.section);
    if (!v.allow) {
        conn_answer(c, 403, NULL, "deny", v.rule);
        return;
    }
    c->decision = "allow";
    c->rule = v.rule;
    c->route = v.route;
    c->actions = v.actions;
    c->upgrade = req->upgrade && v.route == ROUTE_HIJACK;
    c->req_keepalive = req->keep_alive && !c->px->draining;
    c->req_body = req->body;
    c->req_left = req->content_length;
    c->http10 = req->minor == 0;
    chunk_init(&c->req_chunk);
    bool has_body = req->body == HTTP_BODY_CHUNKED ||
                    (req->body == HTTP_BODY_LENGTH && req->content_length > 0);
    if ((v.actions & ACT_INSPECT_BODY) && has_body) {
        if (start_hold(c, req))
            buf_consume(&c->client.buf, req->head_len);
        return;
    }
    if (!forward_head(c, req, cn, false, 0)) {
        conn_answer(c, 431, "request head too large to forward", "error", "serialise");
        return;
    }
    buf_consume(&c->client.buf, req->head_len);
    c->client.fwd = 0;
    c->rq = has_body ? RQ_BODY : RQ_DONE;
    c->rs = RS_HEAD;
    c->uparse = 0;
    req_start_engine(c);
}

static void parse_head(struct conn *c)
{
    struct http_request *req = &c->px->scratch_req;
    struct http_error err;
    struct buf *b = &c->client.buf;
    if (!b->len)
        return;
    const struct config *cfg = conn_cfg(c);
    /* Parse again only when a line ended: a client trickling bytes costs a scan of the new bytes,
     * not of the whole head each time. */
    if (c->scanned < b->len && b->len < cfg->limits.max_head_bytes &&
        !memchr(buf_head(b) + c->scanned, '\n', b->len - c->scanned)) {
        c->scanned = b->len;
        if (c->client.eof)
            conn_kill(c);
        return;
    }
    c->scanned = b->len;
    int r = http_parse_request(buf_head(b), b->len, &cfg->limits, req, &err);
    if (r < 0) {
        req_mark_unparsed(c);
        c->is_head = b->len >= 5 && memcmp(buf_head(b), "HEAD ", 5) == 0;
        conn_answer(c, err.status, err.reason, "error", err.reason);
        return;
    }
    if (r > 0) {
        c->scanned = 0;
        handle_request(c, req);
        return;
    }
    if (c->client.eof)
        conn_kill(c); /* partial head then EOF: nothing to answer */
}

/* ---- the body ----------------------------------------------------------------------------- */

enum chunk_result conn_frame_body(enum http_body kind, uint64_t *left, struct chunk_state *cs,
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

static void body_error(struct conn *c)
{
    if (c->rs == RS_HEAD && conn_nothing_sent(c))
        conn_answer(c, 400, "malformed chunked request body", "error", "chunked-body");
    else if (c->rq == RQ_HOLD)
        conn_answer(c, 400, "malformed chunked request body", "error", "chunked-body");
    else
        conn_kill(c);
}

static bool frame_request_body(struct conn *c)
{
    struct side *s = &c->client;
    uint32_t avail = s->buf.len - s->fwd;
    if (!avail) {
        if (s->eof)
            conn_kill(c); /* truncated body: the engine must not wait for bytes that never come */
        return false;
    }
    uint32_t used;
    enum chunk_result r = conn_frame_body(c->req_body, &c->req_left, &c->req_chunk,
                                          buf_head(&s->buf) + s->fwd, avail, &used);
    s->fwd += used;
    if (r == CHUNK_DONE)
        c->rq = RQ_DONE;
    else if (r == CHUNK_ERROR)
        body_error(c);
    return used > 0;
}

/* The whole body is there: judge it, then forward head and body (or refuse). */
static void hold_complete(struct conn *c)
{
    struct hold_result res = {0};
    const struct proxy_hooks *hk = &c->px->hooks;
    struct conn_hold *h = c->hold;
    const char *body = buf_head(&h->buf) + h->head;
    size_t len = h->buf.len - h->head;
    if (hk->judge_body)
        hk->judge_body(hk->ctx, c, body, len, &res);
    if (res.status) {
        free(res.replace);
        conn_answer(c, res.status, res.reason, "deny", res.reason ? res.reason : "body");
        return;
    }
    if (res.replace) {
        h->buf.len = h->head;
        bool ok = res.replace_len <= conn_cfg(c)->max_body_bytes &&
                  conn_hold_room(c, res.replace_len);
        if (ok) {
            memcpy(buf_tail(&h->buf), res.replace, res.replace_len);
            h->buf.len += (uint32_t)res.replace_len;
        }
        free(res.replace);
        if (!ok) {
            conn_answer(c, 503, "replacement body does not fit (MAX_BODY_BYTES, MAX_HELD_BYTES)",
                        "error", "held-bytes");
            return;
        }
        len = h->buf.len - h->head;
    }
    /* The head, parsed again from its copy (the views of the first parse are gone). */
    struct http_request *req = &c->px->scratch_req;
    struct canon *cn = &c->px->scratch_canon;
    struct http_error err;
    const char *why;
    if (http_parse_request(buf_head(&h->buf), h->head, &conn_cfg(c)->limits, req, &err) !=
            (int)h->head ||
        canon_target(req->target.p, req->target.len, cn, &why) < 0 ||
        !forward_head(c, req, cn, true, len)) {
        conn_answer(c, 431, "request head too large to forward", "error", "serialise");
        return;
    }
    h->sent = 0;
    c->rq = RQ_DONE;
    c->rs = RS_HEAD;
    c->uparse = 0;
    req_start_engine(c);
}

static bool hold_body(struct conn *c)
{
    struct side *s = &c->client;
    const struct config *cfg = conn_cfg(c);
    uint32_t avail = s->buf.len;
    if (!avail) {
        if (s->eof)
            conn_kill(c); /* truncated: nothing was forwarded, nothing is */
        return false;
    }
    uint32_t used;
    const char *p = buf_head(&s->buf);
    if (!conn_hold_room(c, avail)) {
        conn_answer(c, 503, "too many bodies held at once (MAX_HELD_BYTES)", "error",
                    "held-bytes");
        return false;
    }
    struct conn_hold *h = c->hold;
    enum chunk_result r;
    size_t produced;
    if (c->req_body == HTTP_BODY_LENGTH) {
        r = conn_frame_body(c->req_body, &c->req_left, &c->req_chunk, p, avail, &used);
        memcpy(buf_tail(&h->buf), p, used);
        produced = used;
    } else {
        size_t consumed = 0;
        produced = 0;
        r = chunk_decode(&h->dec, p, avail, &consumed, buf_tail(&h->buf), avail, &produced);
        used = (uint32_t)consumed;
    }
    h->buf.len += (uint32_t)produced;
    buf_consume(&s->buf, used);
    if (r == CHUNK_TOO_BIG || h->buf.len - h->head > cfg->max_body_bytes) {
        conn_answer(c, 413, "request body larger than MAX_BODY_BYTES", "error", "body-too-large");
        return true;
    }
    if (r == CHUNK_ERROR)
        body_error(c);
    else if (r == CHUNK_DONE)
        hold_complete(c);
    return used > 0;
}

bool req_process(struct conn *c)
{
    if (c->canned || c->dead)
        return false;
    switch (c->rq) {
    case RQ_HEAD:
        if (c->rs == RS_IDLE) {
            enum rq_state before = c->rq;
            parse_head(c);
            return c->rq != before || c->canned;
        }
        return false;
    case RQ_HOLD:
        return hold_body(c);
    case RQ_BODY:
        return frame_request_body(c);
    case RQ_TUNNEL:
        return conn_tunnel_pass(&c->client);
    case RQ_DONE:
        /* A client gone while its answer is pending: the engine would keep working for nobody. */
        if (c->client.eof && c->rs != RS_IDLE)
            conn_kill(c);
        return false;
    }
    return false;
}

/* ---- writing to the engine ---------------------------------------------------------------- */

bool req_write(struct conn *c)
{
    struct side *e = &c->engine;
    if (!c->up || c->connecting || !e->wr || e->shut)
        return false;
    struct iovec iov[2];
    int n = 0;
    uint32_t hpend = c->hbuf.p && c->rs == RS_HEAD ? c->hbuf.len - c->hsent : 0;
    uint32_t bpend = 0;
    const char *bp = NULL;
    /* A held request body, once judged; never a response being held for a filter, which must not
     * go back to the engine. */
    struct conn_hold *h = c->rq == RQ_DONE && c->hold && c->hold->request ? c->hold : NULL;
    if (h) {
        bp = buf_head(&h->buf) + h->head + h->sent;
        bpend = h->buf.len - h->head - h->sent;
    } else if (c->client.fwd) {
        bp = buf_head(&c->client.buf);
        bpend = c->client.fwd;
    }
    if (hpend)
        iov[n++] = (struct iovec){buf_head(&c->hbuf) + c->hsent, hpend};
    if (bpend)
        iov[n++] = (struct iovec){(void *)(uintptr_t)bp, bpend};
    if (!n)
        return conn_tunnel_fin(c, &c->client, e);
    ssize_t w = conn_send(c, e, iov, n);
    if (w < 0)
        e->eof = true; /* treated like the engine closing */
    if (w <= 0)
        return false;
    size_t hw = (size_t)w < hpend ? (size_t)w : hpend;
    c->hsent += (uint32_t)hw;
    size_t bw = (size_t)w - hw;
    if (bw && h) {
        h->sent += (uint32_t)bw;
        if (h->sent == h->buf.len - h->head)
            conn_hold_release(c);
    } else if (bw) {
        buf_consume(&c->client.buf, bw);
        c->client.fwd -= (uint32_t)bw;
    }
    if (bw && c->rs == RS_HEAD && c->dl == DL_RESPONSE)
        req_response_deadline(c); /* an upload in progress is not an idle engine */
    return true;
}

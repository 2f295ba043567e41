/* response — the engine's half of an exchange: the response head and its plan, relaying or
 * holding the body, the tunnel, a retry on a fresh engine connection, and the end of a
 * transaction (exchange.h). */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"
#include "core/exchange.h"
#include "http/forward.h"

static void enter_tunnel(struct conn *c)
{
    c->rs = RS_TUNNEL;
    c->rq = RQ_TUNNEL;
    c->engine.fwd = c->engine.buf.len;
    c->client.fwd = c->client.buf.len;
    buf_put(&c->px->bufs, &c->hbuf);
    c->px->ntunnels++;
    unsigned ms = conn_cfg(c)->stream_idle_timeout_ms;
    conn_set_deadline(c, ms ? DL_STREAM : DL_NONE, ms);
}

static void bad_response(struct conn *c, const char *why)
{
    log_msg(SWLOG_ERR, "upstream: invalid response to %s %s: %s", c->method, c->target, why);
    metrics_upstream_error(&c->px->metrics, UC_BAD_RESPONSE);
    if (conn_nothing_sent(c))
        conn_answer(c, 502, why, "error", "bad-response");
    else
        conn_kill(c);
}

/* Writes a re-serialised head for the client into hbuf (free once the response started). */
static bool rewrite_head(struct conn *c, const struct http_response *resp,
                         const struct response_plan *plan, bool replaced, uint64_t body_len)
{
    struct forward_response_opts o = {
        .connection = plan->connection,
        .replace_length = replaced,
        .body_length = body_len,
    };
    size_t need = forward_response_head_bound(resp);
    buf_put(&c->px->bufs, &c->hbuf);
    if (buf_get(&c->px->bufs, &c->hbuf) < 0 || buf_grow(&c->px->bufs, &c->hbuf, need) < 0)
        return false;
    int n = forward_response_head(resp, &o, buf_tail(&c->hbuf), buf_space(&c->hbuf));
    if (n < 0)
        return false;
    c->hbuf.len = (uint32_t)n;
    c->hsent = 0;
    return true;
}

static bool start_hold(struct conn *c, const struct http_response *resp,
                       const struct response_plan *plan)
{
    const struct config *cfg = conn_cfg(c);
    if (c->route != ROUTE_PLAIN) {
        bad_response(c, "the response of a stream or tunnel cannot be held");
        return false;
    }
    if (plan->other_coding) {
        bad_response(c, "a response with a transfer coding besides chunked cannot be held");
        return false;
    }
    if (resp->body == HTTP_BODY_LENGTH && resp->content_length > cfg->max_body_bytes) {
        bad_response(c, "response larger than MAX_BODY_BYTES");
        return false;
    }
    if (!conn_hold_room(c, resp->head_len)) {
        conn_answer(c, 503, "too many bodies held at once (MAX_HELD_BYTES)", "error",
                    "held-bytes");
        return false;
    }
    struct conn_hold *h = c->hold;
    chunk_decoder_init(&h->dec, cfg->max_body_bytes);
    memcpy(buf_tail(&h->buf), buf_head(&c->engine.buf) + c->uparse, resp->head_len);
    h->buf.len = h->head = (uint32_t)resp->head_len;
    buf_consume(&c->engine.buf, c->uparse + resp->head_len);
    c->uparse = 0;
    c->rs = RS_HOLD;
    return true;
}

/* Returns false to wait: a final head that is rewritten or held must not overtake interim heads
 * (100 Continue) still waiting for the client. */
static struct response_ctx plan_ctx(const struct conn *c)
{
    return (struct response_ctx){
        .hijack_route = c->route == ROUTE_HIJACK,
        .upgrade_requested = c->upgrade,
        .request_done = c->rq == RQ_DONE,
        .client_open = c->req_keepalive && !c->px->draining,
        .client_http10 = c->http10,
    };
}

static bool response_head(struct conn *c, const struct http_response *resp)
{
    struct response_ctx ctx = plan_ctx(c);
    struct response_plan plan = response_plan(resp, &ctx);
    bool relay = plan.kind == RESPONSE_RELAY;
    bool hold = relay && (c->actions & ACT_FILTER_RESPONSE) && !plan.head_only;
    /* Wait, too, while a held request body is still being written: one hold at a time. */
    if ((hold || (relay && plan.rewrite)) && (c->engine.fwd || (hold && c->hold)))
        return false;
    buf_put(&c->px->bufs, &c->hbuf); /* the engine has answered: no retry will need the head again */
    c->status = resp->status;
    switch (plan.kind) {
    case RESPONSE_INTERIM:
        c->engine.fwd += (uint32_t)resp->head_len;
        c->uparse = c->engine.fwd;
        return true;
    case RESPONSE_BAD:
        bad_response(c, plan.reason);
        return true;
    case RESPONSE_TUNNEL:
        enter_tunnel(c);
        return true;
    case RESPONSE_RELAY:
        break;
    }
    c->resp_body = plan.body;
    c->resp_left = plan.content_length;
    c->resp_keepalive = plan.engine_keepalive;
    chunk_init(&c->resp_chunk);
    if (hold) {
        start_hold(c, resp, &plan);
        return true;
    }
    if (plan.rewrite) {
        if (!rewrite_head(c, resp, &plan, false, 0)) {
            conn_kill(c);
            return true;
        }
        buf_consume(&c->engine.buf, c->uparse + resp->head_len);
        c->engine.fwd = c->uparse = 0;
    } else {
        c->engine.fwd += (uint32_t)resp->head_len;
        c->uparse = c->engine.fwd;
    }
    c->rs = plan.head_only ? RS_DONE : RS_BODY;
    unsigned ms = conn_cfg(c)->stream_idle_timeout_ms;
    conn_set_deadline(c, ms ? DL_STREAM : DL_NONE, ms);
    return true;
}

static bool parse_response(struct conn *c)
{
    struct http_response *resp = &c->px->scratch_resp;
    struct http_error err;
    struct buf *b = &c->engine.buf;
    size_t max_head = conn_cfg(c)->limits.max_head_bytes;
    uint32_t avail = b->len - c->uparse;
    if (!avail) {
        if (c->engine.eof)
            bad_response(c, "connection closed before a response");
        return false;
    }
    int r = http_parse_response(buf_head(b) + c->uparse, avail, c->is_head, max_head, resp, &err);
    if (r < 0) {
        bad_response(c, err.reason);
        return false;
    }
    if (r == 0) {
        if (c->engine.eof)
            bad_response(c, "connection closed inside the response head");
        else if (buf_space(b) == 0 && b->cap < max_head + 4)
            buf_grow(&c->px->bufs, b, max_head + 4);
        return false;
    }
    return response_head(c, resp);
}

static bool frame_response_body(struct conn *c)
{
    struct side *e = &c->engine;
    uint32_t avail = e->buf.len - c->uparse;
    if (c->resp_body == HTTP_BODY_CLOSE) {
        e->fwd = c->uparse = e->buf.len;
        if (e->eof)
            c->rs = RS_DONE;
        return avail > 0;
    }
    if (!avail) {
        if (e->eof)
            conn_kill(c); /* truncated body: the client must see the connection end */
        return false;
    }
    uint32_t used;
    enum chunk_result r = conn_frame_body(c->resp_body, &c->resp_left, &c->resp_chunk,
                                          buf_head(&e->buf) + c->uparse, avail, &used);
    c->uparse += used;
    if (r == CHUNK_DONE) {
        c->rs = RS_DONE;
    } else if (r == CHUNK_ERROR) {
        log_msg(SWLOG_ERR, "upstream: malformed chunked response to %s %s", c->method, c->target);
        conn_kill(c);
    }
    e->fwd = c->uparse;
    return true;
}

/* The whole response body is held: filter it, then send a re-serialised head and the body. */
static void hold_complete(struct conn *c)
{
    struct hold_result res = {0};
    const struct proxy_hooks *hk = &c->px->hooks;
    struct conn_hold *h = c->hold;
    const char *body = buf_head(&h->buf) + h->head;
    size_t len = h->buf.len - h->head;
    if (hk->filter_response)
        hk->filter_response(hk->ctx, c, c->status, body, len, &res);
    if (res.status) {
        free(res.replace);
        conn_answer(c, res.status, res.reason, "deny", res.reason ? res.reason : "filter");
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
            bad_response(c, "filtered response does not fit (MAX_BODY_BYTES, MAX_HELD_BYTES)");
            return;
        }
        len = h->buf.len - h->head;
    }
    struct http_response *resp = &c->px->scratch_resp;
    struct http_error err;
    if (http_parse_response(buf_head(&h->buf), h->head, c->is_head,
                            conn_cfg(c)->limits.max_head_bytes, resp, &err) != (int)h->head) {
        bad_response(c, "held response head no longer parses");
        return;
    }
    /* The client gets the body with a Content-Length, whatever the engine's framing was: a
     * close-delimited answer no longer ends the client's connection (the engine's still ends). */
    c->resp_body = HTTP_BODY_LENGTH;
    struct response_ctx ctx = plan_ctx(c);
    struct response_plan plan = response_plan(resp, &ctx);
    plan.connection = ctx.client_open ? (c->http10 ? RESPONSE_CONN_KEEP_ALIVE : RESPONSE_CONN_AS_IS)
                                      : RESPONSE_CONN_CLOSE;
    if (!rewrite_head(c, resp, &plan, true, len)) {
        bad_response(c, "filtered response head too large");
        return;
    }
    h->sent = 0;
    c->rs = RS_SEND;
}

static bool hold_body(struct conn *c)
{
    struct side *e = &c->engine;
    uint32_t avail = e->buf.len;
    if (!avail) {
        if (!e->eof)
            return false;
        if (c->resp_body == HTTP_BODY_CLOSE)
            hold_complete(c);
        else
            bad_response(c, "connection closed inside a held response body");
        return true;
    }
    if (!conn_hold_room(c, avail)) {
        conn_answer(c, 503, "too many bodies held at once (MAX_HELD_BYTES)", "error",
                    "held-bytes");
        return false;
    }
    const char *p = buf_head(&e->buf);
    struct conn_hold *h = c->hold;
    enum chunk_result r = CHUNK_MORE;
    uint32_t used = avail;
    size_t produced = avail;
    if (c->resp_body == HTTP_BODY_LENGTH) {
        r = conn_frame_body(c->resp_body, &c->resp_left, &c->resp_chunk, p, avail, &used);
        produced = used;
        memcpy(buf_tail(&h->buf), p, used);
    } else if (c->resp_body == HTTP_BODY_CHUNKED) {
        size_t consumed = 0;
        r = chunk_decode(&h->dec, p, avail, &consumed, buf_tail(&h->buf), avail, &produced);
        used = (uint32_t)consumed;
    } else {
        memcpy(buf_tail(&h->buf), p, avail);
    }
    h->buf.len += (uint32_t)produced;
    buf_consume(&e->buf, used);
    if (r == CHUNK_TOO_BIG || h->buf.len - h->head > conn_cfg(c)->max_body_bytes)
        bad_response(c, "response larger than MAX_BODY_BYTES");
    else if (r == CHUNK_ERROR)
        bad_response(c, "malformed chunked response body");
    else if (r == CHUNK_DONE)
        hold_complete(c);
    return used > 0;
}

bool resp_read(struct conn *c)
{
    if (!c->up || c->connecting)
        return false;
    /* A slow client slows the engine, not our memory: at most MAX_BUFFER_BYTES wait for it, or
     * a response head of up to MAX_HEADER_BYTES. */
    const struct buf *b = &c->engine.buf;
    size_t limit = c->rs == RS_HEAD && b->p ? b->cap : conn_cfg(c)->max_buffer_bytes;
    return side_read(&c->engine, &c->px->bufs, limit);
}

/* A kept-alive engine connection may be closed by the engine just as we reuse it; a GET or HEAD
 * without a body can then be sent again on a fresh connection. Nothing else: a POST or DELETE
 * may already have acted (a kill, a start), and must never run twice (RFC 9112 §9.3.1.1). */
static bool retry_on_fresh(struct conn *c)
{
    if (!c->reused || c->req_body != HTTP_BODY_NONE || !c->hbuf.p || c->engine.buf.len ||
        c->rs != RS_HEAD)
        return false;
    if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0)
        return false;
    conn_close_engine(c);
    c->hsent = 0;
    req_start_engine(c);
    return true;
}

bool resp_process(struct conn *c)
{
    if (!c->up || c->canned || c->dead)
        return false;
    switch (c->rs) {
    case RS_IDLE:
        /* Bytes or EOF from an idle engine connection: it is of no further use. */
        if (c->engine.eof || c->engine.buf.len) {
            conn_close_engine(c);
            return true;
        }
        return false;
    case RS_HEAD:
        if (c->engine.eof && !c->engine.buf.len && retry_on_fresh(c))
            return true;
        if (!parse_response(c))
            return false;
        /* Frame the body bytes that came with the head too, so both leave in one write. */
        if (c->rs == RS_BODY)
            frame_response_body(c);
        else if (c->rs == RS_HOLD)
            hold_body(c);
        return true;
    case RS_BODY:
        return frame_response_body(c);
    case RS_HOLD:
        return hold_body(c);
    case RS_TUNNEL:
        return conn_tunnel_pass(&c->engine);
    case RS_SEND:
    case RS_DONE:
        return false;
    }
    return false;
}

bool resp_write(struct conn *c)
{
    struct side *cl = &c->client;
    if (c->canned || !cl->wr || cl->shut)
        return false;
    struct iovec iov[2];
    int n = 0;
    uint32_t hpend = c->hbuf.p && c->rs != RS_HEAD ? c->hbuf.len - c->hsent : 0;
    uint32_t bpend = 0;
    const char *bp = NULL;
    struct conn_hold *h = c->rs == RS_SEND ? c->hold : NULL;
    if (h) {
        bp = buf_head(&h->buf) + h->head + h->sent;
        bpend = h->buf.len - h->head - h->sent;
    } else if (c->engine.fwd) {
        bp = buf_head(&c->engine.buf);
        bpend = c->engine.fwd;
    }
    if (hpend)
        iov[n++] = (struct iovec){buf_head(&c->hbuf) + c->hsent, hpend};
    if (bpend)
        iov[n++] = (struct iovec){(void *)(uintptr_t)bp, bpend};
    if (!n) {
        if (c->rs == RS_SEND) { /* an empty filtered body: the head was all */
            conn_hold_release(c);
            c->rs = RS_DONE;
            return true;
        }
        return c->rs == RS_TUNNEL && conn_tunnel_fin(c, &c->engine, cl);
    }
    ssize_t w = conn_send(c, cl, iov, n);
    if (w < 0) {
        conn_kill(c);
        return false;
    }
    if (w == 0)
        return false;
    c->bytes_out += (uint64_t)w;
    size_t hw = (size_t)w < hpend ? (size_t)w : hpend;
    c->hsent += (uint32_t)hw;
    if (c->hbuf.p && c->hsent == c->hbuf.len)
        buf_put(&c->px->bufs, &c->hbuf);
    size_t bw = (size_t)w - hw;
    if (h) {
        h->sent += (uint32_t)bw;
        if (h->sent == h->buf.len - h->head) {
            conn_hold_release(c);
            c->rs = RS_DONE;
        }
    } else if (bw) {
        buf_consume(&c->engine.buf, bw);
        c->engine.fwd -= (uint32_t)bw;
        c->uparse -= (uint32_t)bw < c->uparse ? (uint32_t)bw : c->uparse;
    }
    return true;
}

/* ---- the end of a transaction ------------------------------------------------------------- */

bool resp_finish(struct conn *c)
{
    if (c->rs != RS_DONE || c->canned || c->linger || c->engine.fwd || c->hbuf.p || c->dead)
        return false;
    conn_log_transaction(c);
    struct proxy *px = c->px;
    bool sent = c->rq == RQ_DONE && !c->hold; /* the whole request reached the engine */
    bool engine_clean = c->resp_keepalive && c->engine.buf.len == c->uparse && sent &&
                        c->resp_body != HTTP_BODY_CLOSE;
    bool client_ok = c->req_keepalive && sent && c->resp_body != HTTP_BODY_CLOSE &&
                     !px->draining && !c->client.eof;
    if (!engine_clean || px->draining || !conn_cfg(c)->upstream_keepalive)
        conn_close_engine(c);
    else if (!client_ok)
        conn_park_engine(c);
    else
        buf_put(&c->px->bufs, &c->engine.buf);
    c->uparse = 0;
    conn_unpin(c);
    if (!client_ok) {
        conn_kill(c);
        return false;
    }
    c->rq = RQ_HEAD;
    c->rs = RS_IDLE;
    c->actions = 0;
    conn_set_deadline(c, DL_IDLE, conn_cfg(c)->keepalive_timeout_ms);
    return true;
}

void resp_tunnel_check_end(struct conn *c)
{
    if (c->rs != RS_TUNNEL)
        return;
    bool up_done = c->client.eof && c->client.buf.len == 0 && c->engine.shut;
    bool down_done = c->engine.eof && c->engine.buf.len == 0 && c->client.shut;
    if (up_done && down_done)
        conn_kill(c);
}

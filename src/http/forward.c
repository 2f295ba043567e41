#include "http/forward.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct out {
    char *p;
    size_t len, cap;
    bool ok;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (!o->ok || o->cap - o->len < n) {
        o->ok = false;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static bool dropped_header(struct http_view name)
{
    return http_is_hop_by_hop(name) ||
           (name.len == 14 && strncasecmp(name.p, "content-length", 14) == 0);
}

size_t forward_request_head_size(const struct http_request *req, const struct canon *cn)
{
    return req->head_len + 3 * cn->path_len + cn->version_len + 256;
}

int forward_request_head(const struct http_request *req, const struct canon *cn,
                         const struct forward_opts *fo, char *outp, size_t cap)
{
    struct out o = {outp, 0, cap, true};
    char line[64];
    put(&o, req->method.p, req->method.len);
    puts_(&o, " ");
    if (!o.ok)
        return -1;
    int tl = canon_format_target(cn, o.p + o.len, o.cap - o.len);
    if (tl < 0)
        return -1;
    o.len += (size_t)tl;
    puts_(&o, req->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    for (size_t i = 0; o.ok && i < req->nheaders; i++) {
        const struct http_header *h = &req->headers[i];
        if (dropped_header(h->name))
            continue;
        put(&o, h->name.p, h->name.len);
        puts_(&o, ": ");
        put(&o, h->value.p, h->value.len);
        puts_(&o, "\r\n");
    }
    if (fo->body_replaced || req->body == HTTP_BODY_LENGTH) {
        snprintf(line, sizeof line, "Content-Length: %llu\r\n",
                 (unsigned long long)(fo->body_replaced ? fo->body_len : req->content_length));
        puts_(&o, line);
    } else if (req->body == HTTP_BODY_CHUNKED) {
        puts_(&o, "Transfer-Encoding: chunked\r\n");
    }
    if (fo->upgrade) {
        puts_(&o, "Connection: Upgrade\r\nUpgrade: ");
        put(&o, req->upgrade_proto.p, req->upgrade_proto.len);
        puts_(&o, "\r\n");
    } else if (!fo->upstream_keepalive && req->minor == 1) {
        puts_(&o, "Connection: close\r\n");
    } else if (req->keep_alive && fo->upstream_keepalive && req->minor == 0) {
        puts_(&o, "Connection: keep-alive\r\n");
    }
    puts_(&o, "\r\n");
    return o.ok ? (int)o.len : -1;
}

void response_plan(const struct http_response *resp, const struct plan_in *in,
                   struct response_plan *p)
{
    *p = (struct response_plan){.kind = PLAN_RELAY, .body = resp->body,
                                .content_length = resp->content_length,
                                .engine_keepalive = resp->keep_alive};
    if (resp->status >= 100 && resp->status < 200 && resp->status != 101) {
        p->kind = PLAN_INTERIM;
        return;
    }
    bool raw200 = in->route == ROUTE_HIJACK && resp->status == 200 && resp->body == HTTP_BODY_CLOSE;
    if (resp->status == 101 || raw200) {
        if (in->route != ROUTE_HIJACK || (resp->status == 101 && !in->upgrade_requested) ||
            !in->request_done) {
            p->kind = PLAN_BAD;
            p->bad_reason = "unexpected protocol switch";
            return;
        }
        p->kind = PLAN_TUNNEL;
        return;
    }
    p->no_body = resp->body == HTTP_BODY_NONE ||
                 (resp->body == HTTP_BODY_LENGTH && resp->content_length == 0);
    p->announce_close = resp->keep_alive && !in->client_keepalive;
    p->rewrite = p->announce_close;
}

size_t forward_response_head_size(const struct http_response *resp)
{
    return resp->head_len + 128;
}

int forward_response_head(const struct http_response *resp, const struct response_opts *ro,
                          char *outp, size_t cap)
{
    struct out o = {outp, 0, cap, true};
    char line[80];
    snprintf(line, sizeof line, "HTTP/1.%d %03d ", resp->minor, resp->status);
    puts_(&o, line);
    put(&o, resp->reason.p, resp->reason.len);
    puts_(&o, "\r\n");
    if (ro->announce_close)
        puts_(&o, "Connection: close\r\n");
    for (size_t i = 0; o.ok && i < resp->nheaders; i++) {
        const struct http_header *h = &resp->headers[i];
        if (ro->body_replaced && (dropped_header(h->name)))
            continue;
        put(&o, h->name.p, h->name.len);
        puts_(&o, ": ");
        put(&o, h->value.p, h->value.len);
        puts_(&o, "\r\n");
    }
    if (ro->body_replaced) {
        snprintf(line, sizeof line, "Content-Length: %llu\r\n", (unsigned long long)ro->body_len);
        puts_(&o, line);
    }
    puts_(&o, "\r\n");
    return o.ok ? (int)o.len : -1;
}

/* Interim decoder over the validator: the validated bytes are the canonical grammar. */
enum chunk_result chunk_decode(struct chunk_state *cs, const char *in, size_t len, size_t *consumed,
                               char *out, size_t outcap, size_t *produced)
{
    size_t done = 0;
    *produced = 0;
    enum chunk_result r = CHUNK_MORE;
    while (done < len && r == CHUNK_MORE) {
        uint64_t data = chunk_data_pending(cs);
        if (data) {
            size_t n = len - done < data ? len - done : (size_t)data;
            if (n > outcap - *produced)
                n = outcap - *produced;
            memcpy(out + *produced, in + done, n);
            *produced += n;
            chunk_skip_data(cs, n);
            done += n;
            continue;
        }
        size_t n = 0;
        size_t step = 1;
        r = chunk_feed(cs, in + done, step, &n);
        done += n;
        if (n == 0)
            break;
    }
    *consumed = done;
    return r;
}

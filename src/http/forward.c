/* forward — the forwarded request head, the response plan and the re-serialised response head
 * (see forward.h for the contract). */
#include "http/forward.h"

#include <limits.h>
#include <string.h>

/* An append-only writer over the caller's buffer; once a write does not fit, it stays failed. */
struct out {
    char *p;
    size_t cap, len;
    bool over;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->over || n > o->cap - o->len) {
        o->over = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_view(struct out *o, struct http_view v)
{
    put(o, v.p, v.len);
}

static void put_u64(struct out *o, uint64_t v)
{
    char d[20];
    size_t n = 0;
    do {
        d[sizeof d - ++n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(o, d + sizeof d - n, n);
}

static void put_header(struct out *o, const struct http_header *h)
{
    put_view(o, h->name);
    put(o, ": ", 2);
    put_view(o, h->value);
    put(o, "\r\n", 2);
}

static void put_content_length(struct out *o, uint64_t n)
{
    put_str(o, "Content-Length: ");
    put_u64(o, n);
    put(o, "\r\n", 2);
}

static int finish(const struct out *o)
{
    return o->over || o->len > (size_t)INT_MAX ? -1 : (int)o->len;
}

static bool name_is(struct http_view name, const char *lit)
{
    return http_name_eq(name, lit, strlen(lit));
}

/* ---- request ----------------------------------------------------------------------------------
 */

size_t forward_request_head_bound(const struct http_request *req, const struct canon *cn)
{
    /* Each header line may grow by the SP after its colon; the target by its encoding and the
     * version prefix; the framing and Connection lines added stay well under 256 bytes. */
    return req->head_len + req->nheaders + 3 * cn->path_len + cn->version_len + 256;
}

/* Headers that describe this hop only, or that are re-created from the parsed framing. */
static bool request_dropped(struct http_view name)
{
    return http_is_hop_by_hop(name) || name_is(name, "content-length");
}

int forward_request_head(const struct http_request *req, const struct canon *cn,
                         const struct forward_request_opts *opts, char *buf, size_t cap)
{
    if (opts->replace_length && opts->body_length > HTTP_MAX_CONTENT_LENGTH)
        return -1; /* a length the engine's parser (and ours) would refuse */
    struct out o = {buf, cap, 0, false};
    put_view(&o, req->method);
    put(&o, " ", 1);
    int tl = o.over ? -1 : canon_format_target(cn, buf + o.len, cap - o.len);
    if (tl < 0)
        return -1;
    o.len += (size_t)tl;
    put_str(&o, req->minor ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    for (size_t i = 0; i < req->nheaders; i++)
        if (!request_dropped(req->headers[i].name))
            put_header(&o, &req->headers[i]);
    if (opts->replace_length)
        put_content_length(&o, opts->body_length);
    else if (req->body == HTTP_BODY_LENGTH)
        put_content_length(&o, req->content_length);
    else if (req->body == HTTP_BODY_CHUNKED)
        put_str(&o, "Transfer-Encoding: chunked\r\n");
    if (opts->upgrade) {
        put_str(&o, "Connection: Upgrade\r\nUpgrade: ");
        put_view(&o, req->upgrade_proto);
        put(&o, "\r\n", 2);
    } else if (!opts->engine_keepalive && req->minor == 1) {
        put_str(&o, "Connection: close\r\n");
    } else if (req->keep_alive && opts->engine_keepalive && req->minor == 0) {
        put_str(&o, "Connection: keep-alive\r\n");
    }
    put(&o, "\r\n", 2);
    return finish(&o);
}

/* ---- response plan ----------------------------------------------------------------------------
 */

static bool is_transfer_encoding(struct http_view name)
{
    return name_is(name, "transfer-encoding");
}

struct response_plan response_plan(const struct http_response *resp, const struct response_ctx *ctx)
{
    struct response_plan p = {
        .kind = RESPONSE_RELAY,
        .body = resp->body,
        .content_length = resp->content_length,
        .engine_keepalive = resp->keep_alive,
        .connection = RESPONSE_CONN_AS_IS,
    };
    bool hop = false;
    unsigned te = 0;
    const struct http_header *te_h = NULL;
    for (size_t i = 0; i < resp->nheaders; i++) {
        struct http_view name = resp->headers[i].name;
        if (!http_is_hop_by_hop(name))
            continue;
        if (is_transfer_encoding(name)) {
            te++;
            te_h = &resp->headers[i];
        } else {
            hop = true;
        }
    }
    p.other_coding = te > 1 || (te_h && !name_is(te_h->value, "chunked"));
    if (resp->status >= 100 && resp->status < 200 && resp->status != 101) {
        p.kind = RESPONSE_INTERIM;
        p.head_only = true;
        p.rewrite = hop;
        return p;
    }
    bool raw200 =
        ctx->hijack_route && resp->status == 200 && resp->body == HTTP_BODY_CLOSE;
    if (resp->status == 101 || raw200) {
        if (!ctx->hijack_route || (resp->status == 101 && !ctx->upgrade_requested) ||
            !ctx->request_done) {
            p.kind = RESPONSE_BAD;
            p.reason = "unexpected protocol switch";
        } else {
            p.kind = RESPONSE_TUNNEL;
        }
        return p;
    }
    p.head_only = resp->body == HTTP_BODY_NONE ||
                  (resp->body == HTTP_BODY_LENGTH && resp->content_length == 0);
    /* The engine connection outlives the client's, so an engine answer that keeps the connection
     * open must tell a client whose connection ends that it does (close wins over keep-alive). */
    bool client_ends = !ctx->client_open || resp->body == HTTP_BODY_CLOSE;
    p.rewrite = hop || (client_ends && resp->keep_alive);
    if (p.rewrite && client_ends)
        p.connection = RESPONSE_CONN_CLOSE;
    else if (p.rewrite && ctx->client_http10)
        p.connection = RESPONSE_CONN_KEEP_ALIVE;
    return p;
}

/* ---- response head ----------------------------------------------------------------------------
 */

size_t forward_response_head_bound(const struct http_response *resp)
{
    /* Against the engine's head: +1 for the SP before an empty reason, +1 per header line for the
     * SP after its colon, a Content-Length line of up to 38 bytes, a Connection line of up to 24.
     */
    return resp->head_len + resp->nheaders + 64;
}

/* Named by a Connection header of resp. */
static bool connection_names(const struct http_response *resp, struct http_view name)
{
    for (size_t i = 0; i < resp->nheaders; i++)
        if (name_is(resp->headers[i].name, "connection") &&
            http_list_has(resp->headers[i].value, name))
            return true;
    return false;
}

/* Whether header h of resp goes out as it came. */
static bool response_keeps(const struct http_response *resp, const struct http_header *h,
                           const struct forward_response_opts *opts, bool has_connection)
{
    /* The names compared below have lengths 14, 17 and 7: most headers skip them all. */
    size_t len = h->name.len;
    bool content_length = len == 14 && name_is(h->name, "content-length");
    if (content_length || (len == 17 && is_transfer_encoding(h->name))) {
        /* The framing: kept as it came unless a new length replaces it; a parsed length is
         * written anew (one line, canonical digits). */
        if (opts->replace_length)
            return false;
        return content_length ? resp->body == HTTP_BODY_NONE : true;
    }
    bool upgrade_101 = resp->status == 101 && len == 7 && name_is(h->name, "upgrade");
    if (upgrade_101)
        return true;
    if (http_is_hop_by_hop(h->name))
        return false;
    return !has_connection || !connection_names(resp, h->name);
}

int forward_response_head(const struct http_response *resp,
                          const struct forward_response_opts *opts, char *buf, size_t cap)
{
    if (opts->replace_length &&
        (resp->body == HTTP_BODY_NONE || opts->body_length > HTTP_MAX_CONTENT_LENGTH))
        return -1; /* a response without a body cannot be given one; nor one we would not frame */
    if (resp->status < 100 || resp->status > 999)
        return -1;
    struct out o = {buf, cap, 0, false};
    char status[] = "HTTP/1.1 000 ";
    status[9] = (char)('0' + resp->status / 100);
    status[10] = (char)('0' + resp->status / 10 % 10);
    status[11] = (char)('0' + resp->status % 10);
    put(&o, status, sizeof status - 1);
    put_view(&o, resp->reason);
    put(&o, "\r\n", 2);
    bool has_connection = http_find_header(resp->headers, resp->nheaders, "connection") != NULL;
    size_t fields = 0;
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (response_keeps(resp, &resp->headers[i], opts, has_connection)) {
            put_header(&o, &resp->headers[i]);
            fields++;
        }
    }
    if (opts->replace_length || resp->body == HTTP_BODY_LENGTH) {
        put_content_length(&o, opts->replace_length ? opts->body_length : resp->content_length);
        fields++;
    }
    const char *conn = resp->status == 101                            ? "Connection: Upgrade\r\n"
                       : opts->connection == RESPONSE_CONN_CLOSE      ? "Connection: close\r\n"
                       : opts->connection == RESPONSE_CONN_KEEP_ALIVE ? "Connection: keep-alive\r\n"
                                                                      : NULL;
    if (conn) {
        put_str(&o, conn);
        fields++;
    }
    if (fields > HTTP_MAX_HEADERS_CAP)
        return -1; /* more fields than a parser of ours would take back */
    put(&o, "\r\n", 2);
    return finish(&o);
}

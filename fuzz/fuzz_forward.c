/* Fuzzes the response serialiser: whatever http_parse_response accepts, forward_response_head
 * writes (with options from the fuzz input) into exact-size buffers without overrunning them, and
 * its output parses back to the same status, reason and framing (or the new length asked for), the
 * same end-to-end headers in order, no hop-by-hop header but the Connection line asked for (and
 * the engine's Transfer-Encoding and a 101's Upgrade), and the Connection line asked for. Also
 * checks response_plan's promises on the same head. The first 3 bytes are options. */
#include "http/forward.h"
#include "policy/policy.h"
#include "http_fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_response resp, back;

static int ieq(struct http_view v, const char *s)
{
    size_t n = strlen(s);
    if (v.len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)v.p[i], b = (unsigned char)s[i];
        if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != b)
            return 0;
    }
    return 1;
}

static int views_ieq(struct http_view a, struct http_view b)
{
    if (a.len != b.len)
        return 0;
    for (size_t i = 0; i < a.len; i++) {
        unsigned char x = (unsigned char)a.p[i], y = (unsigned char)b.p[i];
        if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y))
            return 0;
    }
    return 1;
}

/* RFC 9110 §7.6.1 hop-by-hop names, spelled out here rather than taken from the code under test. */
static int hop_name(struct http_view n)
{
    return ieq(n, "connection") || ieq(n, "keep-alive") || ieq(n, "te") || ieq(n, "trailer") ||
           ieq(n, "transfer-encoding") || ieq(n, "upgrade") ||
           (n.len > 6 && views_ieq((struct http_view){n.p, 6}, (struct http_view){"proxy-", 6}));
}

static int framing_name(struct http_view n)
{
    return ieq(n, "content-length") || ieq(n, "transfer-encoding");
}

/* Is name one of the comma-separated elements of some Connection header of r? */
static int named_by_connection(const struct http_response *r, struct http_view name)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        if (!ieq(r->headers[i].name, "connection"))
            continue;
        struct http_view v = r->headers[i].value;
        size_t s = 0;
        for (size_t j = 0; j <= v.len; j++) {
            if (j < v.len && v.p[j] != ',')
                continue;
            size_t a = s, b = j;
            while (a < b && (v.p[a] == ' ' || v.p[a] == '\t'))
                a++;
            while (b > a && (v.p[b - 1] == ' ' || v.p[b - 1] == '\t'))
                b--;
            if (views_ieq((struct http_view){v.p + a, b - a}, name))
                return 1;
            s = j + 1;
        }
    }
    return 0;
}

/* The end-to-end headers of r: neither hop-by-hop, nor framing, nor named by Connection. */
static int end_to_end(const struct http_response *r, size_t i)
{
    struct http_view n = r->headers[i].name;
    if (r->status == 101 && ieq(n, "upgrade"))
        return 0; /* kept, but counted with the hop-by-hop ones */
    return !hop_name(n) && !framing_name(n) && !named_by_connection(r, n);
}

static int same_view(struct http_view a, struct http_view b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static void check_round_trip(const struct forward_response_opts *o, const char *out, size_t n,
                             bool is_head)
{
    struct http_error err;
    must(http_parse_response(out, n, is_head, (size_t)1 << 20, &back, &err) == (int)n);
    must(back.status == resp.status && same_view(back.reason, resp.reason));
    if (o->replace_length)
        must(back.body == HTTP_BODY_LENGTH && back.content_length == o->body_length);
    else
        must(back.body == resp.body && back.content_length == resp.content_length);
    size_t j = 0, conn = 0;
    for (size_t i = 0; i < resp.nheaders; i++) {
        if (!end_to_end(&resp, i))
            continue;
        while (j < back.nheaders && !end_to_end(&back, j))
            j++;
        must(j < back.nheaders && same_view(back.headers[j].name, resp.headers[i].name) &&
             same_view(back.headers[j].value, resp.headers[i].value));
        j++;
    }
    for (; j < back.nheaders; j++)
        must(!end_to_end(&back, j));
    for (size_t i = 0; i < back.nheaders; i++) {
        struct http_view nm = back.headers[i].name, v = back.headers[i].value;
        if (ieq(nm, "connection")) {
            conn++;
            if (resp.status == 101)
                must(ieq(v, "upgrade"));
            else
                must(o->connection == RESPONSE_CONN_CLOSE ? ieq(v, "close") : ieq(v, "keep-alive"));
        } else if (ieq(nm, "transfer-encoding")) {
            must(!o->replace_length &&
                 http_find_header(resp.headers, resp.nheaders, "transfer-encoding") != NULL);
        } else if (ieq(nm, "upgrade")) {
            must(resp.status == 101);
        } else {
            must(!hop_name(nm));
        }
    }
    must(conn == (resp.status == 101 || o->connection != RESPONSE_CONN_AS_IS));
    if (resp.status != 101 && o->connection == RESPONSE_CONN_CLOSE)
        must(!back.keep_alive);
}

static void check_plan(uint8_t bits)
{
    struct response_ctx ctx = {
        .hijack_route = (enum route_kind)(bits % 3) == ROUTE_HIJACK,
        .upgrade_requested = bits & 4,
        .request_done = bits & 8,
        .client_open = bits & 16,
        .client_http10 = bits & 32,
    };
    struct response_plan p = response_plan(&resp, &ctx);
    int hop = 0;
    for (size_t i = 0; i < resp.nheaders; i++)
        hop |= hop_name(resp.headers[i].name) && !ieq(resp.headers[i].name, "transfer-encoding");
    must((p.kind == RESPONSE_BAD) == (p.reason != NULL));
    if (resp.status >= 100 && resp.status < 200 && resp.status != 101)
        must(p.kind == RESPONSE_INTERIM && p.rewrite == hop);
    if (p.kind == RESPONSE_TUNNEL)
        must(ctx.hijack_route && ctx.request_done);
    if (p.kind != RESPONSE_RELAY)
        return;
    must(p.body == resp.body && p.engine_keepalive == resp.keep_alive);
    bool ends = !ctx.client_open || resp.body == HTTP_BODY_CLOSE;
    must(p.rewrite == (hop || (ends && resp.keep_alive)));
    if (p.rewrite)
        must(p.connection == (ends                ? RESPONSE_CONN_CLOSE
                              : ctx.client_http10 ? RESPONSE_CONN_KEEP_ALIVE
                                                  : RESPONSE_CONN_AS_IS));
    else
        must(p.connection == RESPONSE_CONN_AS_IS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    uint8_t flags = data[0], plan_bits = data[1];
    uint64_t new_len = (uint64_t)data[2] * 0x10001u;
    if (data[2] == 0xff)
        new_len = UINT64_MAX;
    data += 3;
    size -= 3;
    char *in = malloc(size ? size : 1);
    memcpy(in, data, size);
    bool is_head = flags & 1;
    struct http_error err;
    int hl = http_parse_response(in, size, is_head, 65536, &resp, &err);
    if (hl <= 0) {
        free(in);
        return 0;
    }
    check_plan(plan_bits);
    struct forward_response_opts o = {
        .connection = (enum response_connection)((flags >> 1) % 3),
        .replace_length = flags & 8,
        .body_length = new_len,
    };
    size_t bound = forward_response_head_bound(&resp);
    char *out = malloc(bound);
    int n = forward_response_head(&resp, &o, out, bound);
    if (n < 0) {
        /* Only a nonsensical option, or more fields than a parser takes back (the output has at
         * most two lines the input did not). */
        must((o.replace_length &&
              (resp.body == HTTP_BODY_NONE || o.body_length > HTTP_MAX_CONTENT_LENGTH)) ||
             resp.nheaders + 2 > HTTP_MAX_HEADERS_CAP);
        free(out);
        free(in);
        return 0;
    }
    must((size_t)n <= bound);
    char *exact = malloc((size_t)n);
    must(forward_response_head(&resp, &o, exact, (size_t)n) == n);
    must(memcmp(exact, out, (size_t)n) == 0);
    must(forward_response_head(&resp, &o, exact, (size_t)n - 1) == -1);
    check_round_trip(&o, exact, (size_t)n, is_head);
    free(exact);
    free(out);
    free(in);
    return 0;
}

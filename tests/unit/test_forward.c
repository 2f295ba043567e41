/* Unit tests for src/http/forward.c: the forwarded request head (against the bytes the proxy has
 * always sent), the response plan (every branch of the relay's decision) and the re-serialised
 * response head (literal outputs and the round trip through http_parse_response). */
#include "check.h"
#include "http/forward.h"
#include "policy/policy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define H11 " HTTP/1.1\r\nHost: d\r\n"

static struct http_request req;
static struct http_response resp, back;
static struct canon cn;

/* ---- request head -----------------------------------------------------------------------------
 */

enum { UP = 1, EKA = 2, REPL = 4 }; /* options: upgrade, engine keep-alive, replace length */

struct fq {
    const char *raw;
    int opts;
    uint64_t body_length;
    const char *want;
};

static const struct fq fq_cases[] = {
    {"GET /containers/json" H11 "User-Agent: docker/27\r\n\r\n", EKA, 0,
     "GET /containers/json HTTP/1.1\r\nHost: d\r\nUser-Agent: docker/27\r\n\r\n"},
    {"GET /containers/json" H11 "\r\n", 0, 0,
     "GET /containers/json HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"},
    {"GET /_ping" H11 "Connection: close\r\n\r\n", EKA, 0,
     "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"},
    {"GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", EKA, 0,
     "GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"},
    {"GET /_ping HTTP/1.0\r\n\r\n", EKA, 0, "GET /_ping HTTP/1.0\r\n\r\n"},
    {"GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0, 0, "GET /_ping HTTP/1.0\r\n\r\n"},
    {"HEAD /_ping" H11 "\r\n", EKA, 0, "HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n"},
    {"DELETE /v1.41/containers/abc?force=1" H11 "\r\n", EKA, 0,
     "DELETE /v1.41/containers/abc?force=1 HTTP/1.1\r\nHost: d\r\n\r\n"},
    {"GET /v1.43/containers/a%20b/json?all=1&x=%41" H11 "\r\n", EKA, 0,
     "GET /v1.43/containers/a%20b/json?all=1&x=%41 HTTP/1.1\r\nHost: d\r\n\r\n"},
    {"GET /containers/%61bc/json" H11 "\r\n", EKA, 0,
     "GET /containers/abc/json HTTP/1.1\r\nHost: d\r\n\r\n"},
    {"POST /containers/create" H11 "Content-Type: application/json\r\nContent-Length: 005\r\n\r\n",
     EKA, 0,
     "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
     "Content-Length: 5\r\n\r\n"},
    {"POST /build" H11 "Transfer-Encoding: chunked\r\nX-Registry-Config: e30=\r\n\r\n", 0, 0,
     "POST /build HTTP/1.1\r\nHost: d\r\nX-Registry-Config: e30=\r\nTransfer-Encoding: chunked\r\n"
     "Connection: close\r\n\r\n"},
    {"POST /build" H11 "Transfer-Encoding: chunked\r\n\r\n", EKA | REPL, 1234,
     "POST /build HTTP/1.1\r\nHost: d\r\nContent-Length: 1234\r\n\r\n"},
    {"POST /containers/create" H11 "Content-Length: 99\r\n\r\n", EKA | REPL, 0,
     "POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n"},
    {"POST /containers/c/attach?stream=1" H11 "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
     UP | EKA, 0,
     "POST /containers/c/attach?stream=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\n"
     "Upgrade: tcp\r\n\r\n"},
    {"POST /containers/c/attach?stream=1" H11 "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n", UP, 0,
     "POST /containers/c/attach?stream=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\n"
     "Upgrade: tcp\r\n\r\n"},
    {"POST /containers/c/start" H11 "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n", EKA, 0,
     "POST /containers/c/start HTTP/1.1\r\nHost: d\r\n\r\n"},
    {"POST /containers/c/start" H11 "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n", 0, 0,
     "POST /containers/c/start HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n"},
    {"PUT /containers/c/archive?path=%2Ftmp" H11
     "Keep-Alive: timeout=5\r\nProxy-Authorization: x\r\nTE: trailers\r\nTrailer: X\r\n"
     "Proxy-Connection: keep-alive\r\nExpect: 100-continue\r\nContent-Length: 3\r\nA: b\r\n\r\n",
     EKA, 0,
     "PUT /containers/c/archive?path=%2Ftmp HTTP/1.1\r\nHost: d\r\nExpect: 100-continue\r\n"
     "A: b\r\nContent-Length: 3\r\n\r\n"},
    {"OPTIONS /_ping" H11 "X-Empty:\r\n\r\n", EKA, 0,
     "OPTIONS /_ping HTTP/1.1\r\nHost: d\r\nX-Empty: \r\n\r\n"},
};

static void test_request_head(void)
{
    for (size_t i = 0; i < sizeof fq_cases / sizeof fq_cases[0]; i++) {
        const struct fq *c = &fq_cases[i];
        struct http_error err;
        const char *why = NULL;
        char ctx[64];
        snprintf(ctx, sizeof ctx, "request #%zu", i);
        int hl = http_parse_request(c->raw, strlen(c->raw), NULL, &req, &err);
        CHECK(hl > 0, "%s: parses (%s)", ctx, hl < 0 ? err.reason : "incomplete");
        if (hl <= 0)
            continue;
        CHECK(canon_target(req.target.p, req.target.len, &cn, &why) == 0, "%s: canon", ctx);
        struct forward_request_opts o = {
            .upgrade = (c->opts & UP) && req.upgrade,
            .engine_keepalive = c->opts & EKA,
            .replace_length = c->opts & REPL,
            .body_length = c->body_length,
        };
        size_t bound = forward_request_head_bound(&req, &cn), want = strlen(c->want);
        char *buf = malloc(bound);
        int n = forward_request_head(&req, &cn, &o, buf, bound);
        CHECK(n > 0 && (size_t)n <= bound, "%s: fits the bound", ctx);
        if (n > 0)
            CHECK_STR(buf, (size_t)n, c->want, ctx);
        free(buf);
        /* Exact-size buffers: ASan sees any write past cap. */
        buf = malloc(want);
        CHECK_INT(forward_request_head(&req, &cn, &o, buf, want), (int)want, ctx);
        CHECK_INT(forward_request_head(&req, &cn, &o, buf, want - 1), -1, ctx);
        CHECK_INT(forward_request_head(&req, &cn, &o, buf, 3), -1, ctx);
        free(buf);
    }
    CHECK_INT(forward_request_head(&req, &cn, &(struct forward_request_opts){0}, NULL, 0), -1,
              "request: no room at all");

    /* Every "a:b" line grows by one byte: the bound counts it (256 headers, none dropped). */
    static char raw[4096], out[8192];
    size_t n = (size_t)snprintf(raw, sizeof raw, "GET /_ping HTTP/1.1\r\nHost:d\r\n");
    for (int i = 0; i < 255; i++)
        n += (size_t)snprintf(raw + n, sizeof raw - n, "a:b\r\n");
    n += (size_t)snprintf(raw + n, sizeof raw - n, "\r\n");
    struct http_limits lim = {65536, 8192, 256};
    struct http_error err;
    const char *why;
    CHECK(http_parse_request(raw, n, &lim, &req, &err) == (int)n, "256 short headers parse");
    CHECK(canon_target(req.target.p, req.target.len, &cn, &why) == 0, "canon /_ping");
    int w = forward_request_head(&req, &cn, &(struct forward_request_opts){0}, out,
                                 forward_request_head_bound(&req, &cn));
    CHECK(w > 0 && (size_t)w == n + 256 + strlen("Connection: close\r\n"), "short headers: %d", w);
    printf("request head table: %zu cases\n", sizeof fq_cases / sizeof fq_cases[0]);
}

/* ---- response plan ----------------------------------------------------------------------------
 */

enum { UPREQ = 1, DONE = 2, OPEN = 4, C10 = 8, HEADREQ = 16 }; /* context flags */

struct rp {
    const char *raw;
    enum route_kind route;
    int ctx;
    enum response_kind kind;
    enum http_body body;
    int ka, head_only, rewrite;
    enum response_connection conn;
};

#define K_I RESPONSE_INTERIM
#define K_T RESPONSE_TUNNEL
#define K_B RESPONSE_BAD
#define K_R RESPONSE_RELAY
#define AS_IS RESPONSE_CONN_AS_IS
#define CLOSE_ RESPONSE_CONN_CLOSE
#define KA_ RESPONSE_CONN_KEEP_ALIVE
#define PLAIN ROUTE_PLAIN
#define HIJACK ROUTE_HIJACK
#define STD (DONE | OPEN)

static const struct rp rp_cases[] = {
    /* interim */
    {"HTTP/1.1 100 Continue\r\n\r\n", PLAIN, OPEN, K_I, HTTP_BODY_NONE, 1, 1, 0, AS_IS},
    {"HTTP/1.1 102 Processing\r\n\r\n", PLAIN, 0, K_I, HTTP_BODY_NONE, 1, 1, 0, AS_IS},
    {"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", HIJACK, STD, K_I, HTTP_BODY_NONE, 1, 1, 0,
     AS_IS},
    {"HTTP/1.1 103 Early Hints\r\nKeep-Alive: x\r\n\r\n", PLAIN, STD, K_I, HTTP_BODY_NONE, 1, 1, 1,
     AS_IS},
    /* protocol switches */
    {"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", HIJACK, UPREQ | DONE,
     K_T, HTTP_BODY_NONE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", HIJACK, DONE, K_B,
     HTTP_BODY_NONE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", HIJACK, UPREQ, K_B,
     HTTP_BODY_NONE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", PLAIN, UPREQ | STD,
     K_B, HTTP_BODY_NONE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", ROUTE_EVENTS,
     UPREQ | STD, K_B, HTTP_BODY_NONE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n", HIJACK, DONE,
     K_T, HTTP_BODY_CLOSE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n", HIJACK, 0, K_B,
     HTTP_BODY_CLOSE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_CLOSE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", HIJACK, STD, K_R, HTTP_BODY_LENGTH, 1, 1, 0,
     AS_IS},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HIJACK, STD, K_R, HTTP_BODY_CHUNKED,
     1, 0, 0, AS_IS},
    /* no body */
    {"HTTP/1.1 204 No Content\r\n\r\n", PLAIN, STD, K_R, HTTP_BODY_NONE, 1, 1, 0, AS_IS},
    {"HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", PLAIN, STD, K_R, HTTP_BODY_NONE, 1,
     1, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", PLAIN, STD | HEADREQ, K_R, HTTP_BODY_NONE, 1,
     1, 0, AS_IS},
    {"HTTP/1.1 204 No Content\r\n\r\n", PLAIN, DONE, K_R, HTTP_BODY_NONE, 1, 1, 1, CLOSE_},
    /* the common keep-alive answer: verbatim */
    {"HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Type: application/json\r\nDocker-"
     "Experimental: false\r\nOstype: linux\r\nServer: Docker/27.3.1 (linux)\r\nDate: x\r\n"
     "Content-Length: 2\r\n\r\n",
     PLAIN, STD, K_R, HTTP_BODY_LENGTH, 1, 0, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", PLAIN, STD, K_R, HTTP_BODY_CHUNKED, 1,
     0, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_CHUNKED, 1, 0, 0, AS_IS},
    /* the client connection ends: announce close to a keep-alive answer */
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", PLAIN, DONE, K_R, HTTP_BODY_LENGTH, 1, 0, 1,
     CLOSE_},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", ROUTE_EVENTS, 0, K_R,
     HTTP_BODY_CHUNKED, 1, 0, 1, CLOSE_},
    {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n", PLAIN, DONE, K_R,
     HTTP_BODY_LENGTH, 0, 0, 1, CLOSE_},
    {"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", PLAIN, DONE, K_R, HTTP_BODY_LENGTH, 0, 0, 0,
     AS_IS},
    /* close-delimited */
    {"HTTP/1.1 200 OK\r\n\r\n", PLAIN, STD, K_R, HTTP_BODY_CLOSE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_CLOSE, 0, 0, 0, AS_IS},
    {"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", PLAIN, STD, K_R, HTTP_BODY_CLOSE, 0, 0, 1,
     CLOSE_},
    /* hop-by-hop headers force a rewrite */
    {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_LENGTH, 0, 0, 1, AS_IS},
    {"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_LENGTH, 1, 0, 1, AS_IS},
    {"HTTP/1.1 200 OK\r\nTrailer: X\r\nTransfer-Encoding: chunked\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_CHUNKED, 1, 0, 1, AS_IS},
    {"HTTP/1.1 200 OK\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_LENGTH, 1, 0, 1, AS_IS},
    {"HTTP/1.1 200 OK\r\nProxy-Authenticate: x\r\nContent-Length: 2\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_LENGTH, 1, 0, 1, AS_IS},
    {"HTTP/1.1 200 OK\r\nTE: trailers\r\nContent-Length: 2\r\n\r\n", PLAIN, STD, K_R,
     HTTP_BODY_LENGTH, 1, 0, 1, AS_IS},
    /* an HTTP/1.0 client that stays open hears keep-alive when the head is rewritten */
    {"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n", PLAIN, STD | C10,
     K_R, HTTP_BODY_LENGTH, 1, 0, 1, KA_},
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", PLAIN, STD | C10, K_R, HTTP_BODY_LENGTH, 1, 0,
     0, AS_IS},
    {"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n", PLAIN, DONE | C10,
     K_R, HTTP_BODY_LENGTH, 1, 0, 1, CLOSE_},
};

static void test_response_plan(void)
{
    for (size_t i = 0; i < sizeof rp_cases / sizeof rp_cases[0]; i++) {
        const struct rp *c = &rp_cases[i];
        struct http_error err;
        char ctx[64];
        snprintf(ctx, sizeof ctx, "plan #%zu", i);
        int hl = http_parse_response(c->raw, strlen(c->raw), c->ctx & HEADREQ, 65536, &resp, &err);
        CHECK(hl > 0, "%s: parses", ctx);
        struct response_ctx x = {
            .hijack_route = c->route == ROUTE_HIJACK,
            .upgrade_requested = c->ctx & UPREQ,
            .request_done = c->ctx & DONE,
            .client_open = c->ctx & OPEN,
            .client_http10 = c->ctx & C10,
        };
        struct response_plan p = response_plan(&resp, &x);
        CHECK_INT(p.kind, c->kind, ctx);
        CHECK(p.kind == K_B ? p.reason && strcmp(p.reason, "unexpected protocol switch") == 0
                            : p.reason == NULL,
              "%s: reason", ctx);
        if (p.kind == K_B || p.kind == K_T)
            continue;
        CHECK_INT(p.body, c->body, ctx);
        CHECK_INT(p.engine_keepalive, c->ka, ctx);
        CHECK_INT(p.head_only, c->head_only, ctx);
        CHECK_INT(p.rewrite, c->rewrite, ctx);
        CHECK_INT(p.connection, c->conn, ctx);
        CHECK(p.content_length == resp.content_length, "%s: length", ctx);
    }
    printf("response plan table: %zu cases\n", sizeof rp_cases / sizeof rp_cases[0]);

    struct http_error err;
    const char *te[] = {"chunked", "Chunked", "gzip, chunked", "chunked, gzip"};
    for (size_t i = 0; i < 4; i++) {
        char raw[128];
        snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nTransfer-Encoding: %s\r\n\r\n", te[i]);
        CHECK(http_parse_response(raw, strlen(raw), false, 65536, &resp, &err) > 0, "te parses");
        struct response_plan p = response_plan(&resp, &(struct response_ctx){.client_open = true});
        CHECK(p.other_coding == (i >= 2), "other_coding for '%s'", te[i]);
    }
}

/* ---- response head ----------------------------------------------------------------------------
 */

struct fr {
    const char *raw;
    int is_head;
    enum response_connection conn;
    int replace;
    uint64_t len;
    const char *want; /* NULL: -1 expected */
};

static const struct fr fr_cases[] = {
    {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 0, CLOSE_, 0, 0,
     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"},
    {"HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 002\r\nContent-Length: 002\r\nB: 2\r\n\r\n", 0,
     AS_IS, 0, 0, "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nContent-Length: 2\r\n\r\n"},
    {"HTTP/1.0 404 Not Found\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: t=1\r\n"
     "Content-Length: 0\r\n\r\n",
     0, KA_, 0, 0, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"},
    {"HTTP/1.1 200 OK\r\nTrailer: X\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
     "Proxy-Foo: 1\r\nTE: x\r\nUpgrade: h2c\r\nX: y\r\n\r\n",
     0, AS_IS, 0, 0,
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n"},
    {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n", 0, CLOSE_, 1, 17,
     "HTTP/1.1 200 OK\r\nX: y\r\nContent-Length: 17\r\nConnection: close\r\n\r\n"},
    {"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", 0, CLOSE_, 0, 0,
     "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"},
    {"HTTP/1.1 200 OK\r\n\r\n", 0, AS_IS, 1, 3, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"},
    {"HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n", 0, AS_IS, 0, 0,
     "HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\n"},
    {"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: keep-alive\r\n\r\n", 1, CLOSE_, 0, 0,
     "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\n"},
    {"HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\nETag: \"x\"\r\n\r\n", 0, AS_IS, 0, 0,
     "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\nETag: \"x\"\r\n\r\n"},
    {"HTTP/1.1 204 No Content\r\n\r\n", 0, AS_IS, 1, 0, NULL},
    {"HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
     "Connection: Upgrade, X-Hop\r\nX-Hop: 1\r\nUpgrade: tcp\r\n\r\n",
     0, CLOSE_, 0, 0,
     "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
     "Upgrade: tcp\r\nConnection: Upgrade\r\n\r\n"},
    {"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nKeep-Alive: 1\r\n\r\n", 0, AS_IS, 0, 0,
     "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"},
    {"HTTP/1.1 200 OK\r\nConnection: content-length, transfer-encoding\r\nTransfer-Encoding: "
     "chunked\r\n\r\n",
     0, AS_IS, 0, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"},
};

static void test_response_head(void)
{
    for (size_t i = 0; i < sizeof fr_cases / sizeof fr_cases[0]; i++) {
        const struct fr *c = &fr_cases[i];
        struct http_error err;
        char ctx[64];
        snprintf(ctx, sizeof ctx, "response head #%zu", i);
        CHECK(http_parse_response(c->raw, strlen(c->raw), c->is_head, 65536, &resp, &err) > 0,
              "%s: parses", ctx);
        struct forward_response_opts o = {c->conn, c->replace, c->len};
        size_t bound = forward_response_head_bound(&resp);
        char *buf = malloc(bound);
        int n = forward_response_head(&resp, &o, buf, bound);
        if (!c->want) {
            CHECK_INT(n, -1, ctx);
            free(buf);
            continue;
        }
        CHECK(n > 0, "%s: written", ctx);
        if (n > 0)
            CHECK_STR(buf, (size_t)n, c->want, ctx);
        free(buf);
        size_t want = strlen(c->want);
        buf = malloc(want);
        CHECK_INT(forward_response_head(&resp, &o, buf, want), (int)want, ctx);
        CHECK_INT(forward_response_head(&resp, &o, buf, want - 1), -1, ctx);
        free(buf);
        /* The written head parses back to the same status and framing. */
        CHECK(http_parse_response(c->want, want, c->is_head, 65536, &back, &err) == (int)want,
              "%s: parses back", ctx);
        CHECK(back.status == resp.status && back.reason.len == resp.reason.len, "%s: status", ctx);
        CHECK(back.body == (c->replace ? HTTP_BODY_LENGTH : resp.body), "%s: framing", ctx);
    }
    printf("response head table: %zu cases\n", sizeof fr_cases / sizeof fr_cases[0]);

    /* 255 headers and two lines added: more fields than the parser takes back → refused. */
    static char big[8192];
    size_t n = (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 255; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "X%d: y\r\n", i);
    n += (size_t)snprintf(big + n, sizeof big - n, "\r\n");
    struct http_error err;
    CHECK(http_parse_response(big, n, false, 65536, &resp, &err) == (int)n, "255 headers parse");
    static char out[9000];
    struct forward_response_opts o = {CLOSE_, true, 1};
    CHECK_INT(forward_response_head(&resp, &o, out, sizeof out), -1, "257 fields refused");
    o.connection = AS_IS;
    CHECK(forward_response_head(&resp, &o, out, sizeof out) > 0, "256 fields written");
}

int main(void)
{
    test_request_head();
    test_response_plan();
    test_response_head();
    return TEST_SUMMARY("forward");
}

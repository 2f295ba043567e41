/* Unit tests for src/http/http.c: request heads, response heads, helpers. */
#include "check.h"
#include "http/http.h"

#include <stdint.h>
#include <stdlib.h>

#define R(s) s, sizeof(s) - 1
#define H11 " HTTP/1.1\r\nHost: d\r\n" /* rest of a request line plus the Host header */

static struct http_request req;
static struct http_response resp;

/* ---- request table ----------------------------------------------------------------------------
 */

struct rq {
    const char *raw;
    size_t len;
    int status;         /* 0 = valid */
    const char *reason; /* invalid: substring of err.reason, or NULL */
    const char *method, *target;
    int minor;
    enum http_body body;
    uint64_t cl;
    int ka, up;
};

#define OK(s, m, t, mi, b, cl, ka, up)                                                             \
    {                                                                                              \
        R(s), 0, NULL, m, t, mi, b, cl, ka, up                                                     \
    }
#define BAD(s, st, why)                                                                            \
    {                                                                                              \
        R(s), st, why, NULL, NULL, 0, HTTP_BODY_NONE, 0, 0, 0                                      \
    }
#define NONE HTTP_BODY_NONE
#define LEN HTTP_BODY_LENGTH
#define CHK HTTP_BODY_CHUNKED

static const struct rq rq_cases[] = {
    /* valid: basics */
    OK("GET /" H11 "\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /_ping HTTP/1.0\r\n\r\n", "GET", "/_ping", 0, NONE, 0, 0, 0),
    OK("GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n", "GET", "/_ping", 0, NONE, 0, 0, 0),
    OK("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET", "/", 0, NONE, 0, 1, 0),
    OK("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET", "/", 0, NONE, 0, 1, 0),
    OK("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", "GET", "/", 0, NONE, 0, 0, 0),
    OK("GET / HTTP/1.0\r\nConnection: foo\r\n\r\n", "GET", "/", 0, NONE, 0, 0, 0),
    OK("GET / HTTP/1.0\r\nConnection: xkeep-alive\r\n\r\n", "GET", "/", 0, NONE, 0, 0, 0),
    OK("GET /" H11 "Connection: close\r\n\r\n", "GET", "/", 1, NONE, 0, 0, 0),
    OK("GET /" H11 "Connection: CLOSE\r\n\r\n", "GET", "/", 1, NONE, 0, 0, 0),
    OK("GET /" H11 "Connection: keep-alive, close\r\n\r\n", "GET", "/", 1, NONE, 0, 0, 0),
    OK("GET /" H11 "Connection: foo,,  close ,\r\n\r\n", "GET", "/", 1, NONE, 0, 0, 0),
    OK("GET /" H11 "Connection: foo\r\nConnection: close\r\n\r\n", "GET", "/", 1, NONE, 0, 0, 0),
    OK("GET /" H11 "Connection: closed\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /" H11 "Connection: keep-alive\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("HEAD /_ping" H11 "\r\n", "HEAD", "/_ping", 1, NONE, 0, 1, 0),
    OK("DELETE /v1.41/containers/abc?force=1" H11 "\r\n", "DELETE", "/v1.41/containers/abc?force=1",
       1, NONE, 0, 1, 0),
    OK("get /" H11 "\r\n", "get", "/", 1, NONE, 0, 1, 0),
    OK("M-SEARCH /" H11 "\r\n", "M-SEARCH", "/", 1, NONE, 0, 1, 0),
    OK("PROPFIND /x" H11 "\r\n", "PROPFIND", "/x", 1, NONE, 0, 1, 0),
    OK("!#$%&'*+-.^_`|~ /" H11 "\r\n", "!#$%&'*+-.^_`|~", "/", 1, NONE, 0, 1, 0),
    OK("PRI /" H11 "\r\n", "PRI", "/", 1, NONE, 0, 1, 0),
    OK("OPTIONS *" H11 "\r\n", "OPTIONS", "*", 1, NONE, 0, 1, 0),
    OK("OPTIONS /" H11 "\r\n", "OPTIONS", "/", 1, NONE, 0, 1, 0),
    /* valid: targets (decoding is the canon module's business) */
    OK("GET /v1.41/containers/json?all=1&filters=%7B%7D" H11 "\r\n", "GET",
       "/v1.41/containers/json?all=1&filters=%7B%7D", 1, NONE, 0, 1, 0),
    OK("GET /a%2Fb%00" H11 "\r\n", "GET", "/a%2Fb%00", 1, NONE, 0, 1, 0),
    OK("GET /!$&'()*+,;=:@-._~?/?" H11 "\r\n", "GET", "/!$&'()*+,;=:@-._~?/?", 1, NONE, 0, 1, 0),
    OK("GET //x/../y" H11 "\r\n", "GET", "//x/../y", 1, NONE, 0, 1, 0),
    OK("GET /http://x/" H11 "\r\n", "GET", "/http://x/", 1, NONE, 0, 1, 0),
    OK("GET /a\"<>\\^`{|}" H11 "\r\n", "GET", "/a\"<>\\^`{|}", 1, NONE, 0, 1, 0),
    /* valid: leading empty lines */
    OK("\r\nGET /" H11 "\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("\r\n\r\n\r\n\r\nGET /" H11 "\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    /* valid: field syntax */
    OK("GET /" H11 "X: caf\xc3\xa9\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /" H11 "X: a\tb\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /" H11 "X-Empty:\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /" H11 "X-Blank:  \t \r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /" H11 "X-!#$%&'*+.^_`|~: v\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /" H11 "X:v\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /" H11 "X: \x80\xff\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET /" H11 "X: ~!\"#\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET / HTTP/1.1\r\nhOsT: api.moby.localhost\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    OK("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nHost: d\r\nC: 3\r\n\r\n", "GET", "/", 1, NONE, 0, 1, 0),
    /* valid: framing */
    OK("POST /x" H11 "Content-Length: 0\r\n\r\n", "POST", "/x", 1, LEN, 0, 1, 0),
    OK("POST /x" H11 "Content-Length: 123\r\n\r\n", "POST", "/x", 1, LEN, 123, 1, 0),
    OK("POST /x" H11 "content-length:7\r\n\r\n", "POST", "/x", 1, LEN, 7, 1, 0),
    OK("POST /x" H11 "Content-Length: 007\r\n\r\n", "POST", "/x", 1, LEN, 7, 1, 0),
    OK("POST /x" H11 "Content-Length: 0000000000000000000000000001\r\n\r\n", "POST", "/x", 1, LEN,
       1, 1, 0),
    OK("POST /x" H11 "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", "POST", "/x", 1, LEN, 5, 1,
       0),
    OK("POST /x" H11 "Content-Length: 4611686018427387904\r\n\r\n", "POST", "/x", 1, LEN,
       4611686018427387904ULL, 1, 0),
    OK("POST /x HTTP/1.0\r\nContent-Length: 3\r\n\r\n", "POST", "/x", 0, LEN, 3, 0, 0),
    OK("POST /x" H11 "Transfer-Encoding: chunked\r\n\r\n", "POST", "/x", 1, CHK, 0, 1, 0),
    OK("POST /x" H11 "Transfer-Encoding: Chunked\r\n\r\n", "POST", "/x", 1, CHK, 0, 1, 0),
    OK("POST /x" H11 "transfer-encoding:   CHUNKED \t\r\n\r\n", "POST", "/x", 1, CHK, 0, 1, 0),
    OK("PUT /containers/c/archive?path=%2Ftmp" H11 "Transfer-Encoding: chunked\r\n\r\n", "PUT",
       "/containers/c/archive?path=%2Ftmp", 1, CHK, 0, 1, 0),
    /* valid: upgrade */
    OK("POST /exec/x/start" H11 "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n",
       "POST", "/exec/x/start", 1, LEN, 2, 1, 1),
    OK("POST /a" H11 "Upgrade: tcp\r\n\r\n", "POST", "/a", 1, NONE, 0, 1, 0),
    OK("POST /a" H11 "Connection: Upgrade\r\n\r\n", "POST", "/a", 1, NONE, 0, 1, 0),
    OK("POST /grpc" H11 "Connection: keep-alive, upgrade\r\nUpgrade: h2c\r\n\r\n", "POST", "/grpc",
       1, NONE, 0, 1, 1),
    OK("POST /a" H11 "Connection: foo\r\nConnection: UPGRADE\r\nUpgrade: tcp\r\n\r\n", "POST", "/a",
       1, NONE, 0, 1, 1),
    OK("POST /a" H11 "Connection: Upgrade, close\r\nUpgrade: tcp\r\n\r\n", "POST", "/a", 1, NONE, 0,
       0, 1),
    OK("POST /a HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", "POST", "/a", 0, NONE, 0,
       0, 0),
    OK("GET /containers/c/attach/ws" H11 "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n", "GET",
       "/containers/c/attach/ws", 1, NONE, 0, 1, 1),
    OK("POST /a" H11 "Connection: upgraded\r\nUpgrade: tcp\r\n\r\n", "POST", "/a", 1, NONE, 0, 1,
       0),
    /* valid: expectations (the flag itself is checked in test_request_details) */
    OK("POST /a" H11 "Expect: 100-continue\r\nContent-Length: 1\r\n\r\n", "POST", "/a", 1, LEN, 1,
       1, 0),
    OK("POST /a HTTP/1.0\r\nExpect: 100-Continue\r\n\r\n", "POST", "/a", 0, NONE, 0, 0, 0),

    /* request line */
    BAD("GET  /" H11 "\r\n", 400, "request line"),
    BAD("GET /  HTTP/1.1\r\nHost: d\r\n\r\n", 400, "version"),
    BAD("GET / HTTP/1.1 \r\nHost: d\r\n\r\n", 400, "version"),
    BAD(" GET /" H11 "\r\n", 400, "method"),
    BAD("GET\t/" H11 "\r\n", 400, "method"),
    BAD("GET /\tHTTP/1.1\r\nHost: d\r\n\r\n", 400, NULL),
    BAD("GET /\r\n\r\n", 400, "HTTP/0.9"),
    BAD("GET /index.html\r\n", 400, "HTTP/0.9"),
    BAD("GET\r\n\r\n", 400, "request line"),
    BAD("G(T /" H11 "\r\n", 400, "method"),
    BAD("GE@T /" H11 "\r\n", 400, "method"),
    BAD("G\x80T /" H11 "\r\n", 400, "method"),
    BAD("GET / HTTP/1.2\r\nHost: d\r\n\r\n", 505, "version not supported"),
    BAD("GET / HTTP/1.9\r\nHost: d\r\n\r\n", 505, "version not supported"),
    BAD("GET / HTTP/2.0\r\nHost: d\r\n\r\n", 505, "HTTP/2"),
    BAD("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "HTTP/2"),
    BAD("GET / HTTP/3.0\r\nHost: d\r\n\r\n", 505, NULL),
    BAD("GET / HTTP/0.9\r\n\r\n", 505, NULL),
    BAD("GET / http/1.1\r\nHost: d\r\n\r\n", 400, "version"),
    BAD("GET / HTTP/1.10\r\nHost: d\r\n\r\n", 400, "version"),
    BAD("GET / HTTP/1\r\nHost: d\r\n\r\n", 400, "version"),
    BAD("GET / HTTP/11\r\nHost: d\r\n\r\n", 400, "version"),
    BAD("GET / HTTP/2\r\nHost: d\r\n\r\n", 400, "version"),
    BAD("GET / HTTPS/1.1\r\nHost: d\r\n\r\n", 400, "version"),
    BAD("GET / HTTP/1.x\r\nHost: d\r\n\r\n", 400, "version"),
    /* request target */
    BAD("GET http://localhost/v1.41/info" H11 "\r\n", 400, "absolute-form"),
    BAD("GET HTTP://x" H11 "\r\n", 400, "absolute-form"),
    BAD("CONNECT localhost:2375" H11 "\r\n", 400, "absolute-form"),
    BAD("GET unix:/var/run/docker.sock" H11 "\r\n", 400, "absolute-form"),
    BAD("GET *" H11 "\r\n", 400, "OPTIONS"),
    BAD("OPTIONS *x" H11 "\r\n", 400, "origin-form"),
    BAD("OPTIONS **" H11 "\r\n", 400, "origin-form"),
    BAD("GET info" H11 "\r\n", 400, "origin-form"),
    BAD("GET ?x" H11 "\r\n", 400, "origin-form"),
    BAD("GET \\x" H11 "\r\n", 400, "origin-form"),
    BAD("GET /a#b" H11 "\r\n", 400, "fragment"),
    BAD("GET /#" H11 "\r\n", 400, "fragment"),
    BAD("GET /a\x7f" H11 "\r\n", 400, "control"),
    BAD("GET /caf\xc3\xa9" H11 "\r\n", 400, "non-ASCII"),
    BAD("GET /\xff" H11 "\r\n", 400, "non-ASCII"),
    BAD("GET /a\x01" H11 "\r\n", 400, "control"),
    BAD("GET /a\tb" H11 "\r\n", 400, "control"),
    BAD("GET /a\0b" H11 "\r\n", 400, "control"),
    BAD("GET http://x/\x01" H11 "\r\n", 400, "control"),
    /* line endings and leading lines */
    BAD("GET / HTTP/1.1\nHost: d\n\n", 400, "bare LF"),
    BAD("GET / HTTP/1.1\r\nHost: d\n\r\n", 400, "bare LF"),
    BAD("GET / HTTP/1.1\r\nHost: d\r\n\n", 400, "bare LF"),
    BAD("GET / HTTP/1.1\rHost: d\r\n\r\n", 400, "bare CR"),
    BAD("GET /" H11 "X: a\rb\r\n\r\n", 400, "bare CR"),
    BAD("GET /" H11 "\r\r\n", 400, "bare CR"),
    BAD("GET /" H11 "Transfer-Encoding: \rchunked\r\n\r\n", 400, "bare CR"),
    BAD("\nGET /" H11 "\r\n", 400, "bare LF"),
    BAD("\r\n\r\n\r\n\r\n\r\nGET /" H11 "\r\n", 400, "empty lines"),
    BAD(" \r\nGET /" H11 "\r\n", 400, "method"),
    BAD("\r\n \r\nGET /" H11 "\r\n", 400, "method"),
    /* field lines */
    BAD("GET /" H11 "X: a\r\n b\r\n\r\n", 400, "folding"),
    BAD("GET /" H11 "X: a\r\n\tb\r\n\r\n", 400, "folding"),
    BAD("GET / HTTP/1.1\r\n Host: d\r\n\r\n", 400, "folding"),
    BAD("GET / HTTP/1.1\r\nHost : d\r\n\r\n", 400, "whitespace"),
    BAD("GET / HTTP/1.1\r\nHost\t: d\r\n\r\n", 400, "whitespace"),
    BAD("POST /" H11 "Content Length: 5\r\n\r\n", 400, "whitespace"),
    BAD("GET /" H11 ": x\r\n\r\n", 400, "empty header name"),
    BAD("GET /" H11 "NoColon\r\n\r\n", 400, "without colon"),
    BAD("GET /" H11 "X(y): z\r\n\r\n", 400, "header name"),
    BAD("GET /" H11 "X\x80: z\r\n\r\n", 400, "header name"),
    BAD("GET /" H11 "X: a\0b\r\n\r\n", 400, "control"),
    BAD("GET /" H11 "X: a\x01"
        "b\r\n\r\n",
        400, "control"),
    BAD("GET /" H11 "X: a\x7f\r\n\r\n", 400, "control"),
    BAD("GET /" H11 "X: \x1b[31m\r\n\r\n", 400, "control"),
    BAD("GET /" H11 "X: \x0b\r\n\r\n", 400, "control"),
    /* Host */
    BAD("GET / HTTP/1.1\r\n\r\n", 400, "missing Host"),
    BAD("GET / HTTP/1.1\r\nX-Host: d\r\n\r\n", 400, "missing Host"),
    BAD("GET /" H11 "Host: e\r\n\r\n", 400, "duplicate Host"),
    BAD("GET /" H11 "Host: d\r\n\r\n", 400, "duplicate Host"),
    BAD("GET / HTTP/1.0\r\nHost: d\r\nHost: d\r\n\r\n", 400, "duplicate Host"),
    /* Content-Length */
    BAD("POST /" H11 "Content-Length: -1\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: +1\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 1 2\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 1,1\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 5, 5\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 0x10\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length:\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 1.0\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 99999999999999999999\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 4611686018427387905\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 18446744073709551616\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: \xd9\xa1\r\n\r\n", 400, "Content-Length"),
    BAD("POST /" H11 "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "conflicting"),
    BAD("POST /" H11 "Content-Length: 5\r\nContent-Length: 05\r\n\r\n", 400, "conflicting"),
    BAD("POST /" H11 "Content-Length: 5\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,
        "conflicting"),
    /* Transfer-Encoding */
    BAD("POST /" H11 "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400,
        "Content-Length"),
    BAD("POST /" H11 "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
        "Content-Length"),
    BAD("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "HTTP/1.0"),
    BAD("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400, NULL),
    BAD("POST /" H11 "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
        "multiple"),
    BAD("POST /" H11 "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
        "multiple"),
    BAD("POST /" H11 "Transfer-Encoding: chunked, chunked\r\n\r\n", 501, "transfer coding"),
    BAD("POST /" H11 "Transfer-Encoding: gzip, chunked\r\n\r\n", 501, "transfer coding"),
    BAD("POST /" H11 "Transfer-Encoding: identity\r\n\r\n", 501, "transfer coding"),
    BAD("POST /" H11 "Transfer-Encoding: gzip\r\n\r\n", 501, "transfer coding"),
    BAD("POST /" H11 "Transfer-Encoding: xchunked\r\n\r\n", 501, "transfer coding"),
    BAD("POST /" H11 "Transfer-Encoding: chunked,\r\n\r\n", 501, "transfer coding"),
    BAD("POST /" H11 "Transfer-Encoding: chunked;foo=bar\r\n\r\n", 400, "malformed"),
    BAD("POST /" H11 "Transfer-Encoding:\r\n\r\n", 400, "malformed"),
    BAD("POST /" H11 "Transfer-Encoding: \"chunked\"\r\n\r\n", 400, "malformed"),
    BAD("POST /" H11 "Transfer-Encoding: chun ked\r\n\r\n", 400, "malformed"),
    BAD("POST /" H11 "Transfer-Encoding: chunked\x0b\r\n\r\n", 400, "control"),
    /* Upgrade and Expect */
    BAD("POST /a" H11 "Connection: Upgrade\r\nUpgrade: tcp\r\nUpgrade: tcp\r\n\r\n", 400,
        "duplicate Upgrade"),
    BAD("POST /a" H11 "Upgrade: tcp\r\nUpgrade: h2c\r\n\r\n", 400, "duplicate Upgrade"),
    BAD("POST /a" H11 "Connection: Upgrade\r\nUpgrade:\r\n\r\n", 400, "empty Upgrade"),
    BAD("POST /a" H11 "Expect: 100-continue-x\r\n\r\n", 417, "expectation"),
    BAD("POST /a" H11 "Expect: foo\r\n\r\n", 417, "expectation"),
    BAD("POST /a" H11 "Expect:\r\n\r\n", 417, "expectation"),
    BAD("POST /a" H11 "Expect: 100-continue\r\nExpect: x\r\n\r\n", 417, "expectation"),
    BAD("POST /a HTTP/1.0\r\nExpect: x\r\n\r\n", 417, "expectation"),
};

static void rebase(struct http_view *v, const char *from, const char *to)
{
    if (v->p != NULL)
        v->p = to + (v->p - from);
}

/* The parse must not depend on bytes beyond len: the case is copied into an exact-size heap
 * buffer so ASan sees any over-read. */
static int parse_req_exact(const char *raw, size_t len, const struct http_limits *lim,
                           struct http_error *err)
{
    char *copy = malloc(len ? len : 1);
    memcpy(copy, raw, len);
    int r = http_parse_request(copy, len, lim, &req, err);
    /* Views are rebased onto raw so they can be inspected after the copy is gone. */
    if (r > 0) {
        rebase(&req.method, copy, raw);
        rebase(&req.target, copy, raw);
        rebase(&req.upgrade_proto, copy, raw);
        for (size_t i = 0; i < req.nheaders; i++) {
            rebase(&req.headers[i].name, copy, raw);
            rebase(&req.headers[i].value, copy, raw);
        }
    }
    free(copy);
    return r;
}

static bool view_inside(struct http_view v, const char *buf, size_t len)
{
    return v.p >= buf && v.p + v.len <= buf + len;
}

/* Every strict prefix of a head gives 0 or exactly the error of the whole input. */
static void check_prefixes(const char *raw, size_t len, int want_r, const struct http_error *want,
                           const char *ctx)
{
    struct http_limits lim;
    http_limits_default(&lim);
    int bad = 0;
    for (size_t k = 0; k < len && !bad; k++) {
        struct http_error e = {0, NULL};
        int r = parse_req_exact(raw, k, &lim, &e);
        if (r == 0)
            continue;
        bad = want_r > 0 || r != -1 || e.status != want->status || e.reason != want->reason;
        CHECK(!bad, "%s: prefix %zu gave %d/%d", ctx, k, r, e.status);
    }
    CHECK(!bad, "%s: prefixes", ctx);
}

static void check_valid_request(const struct rq *c, const char *ctx)
{
    CHECK_STR(req.method.p, req.method.len, c->method, ctx);
    CHECK_STR(req.target.p, req.target.len, c->target, ctx);
    CHECK_INT(req.minor, c->minor, ctx);
    CHECK_INT(req.body, c->body, ctx);
    CHECK_INT(req.content_length, c->cl, ctx);
    CHECK_INT(req.keep_alive, c->ka, ctx);
    CHECK_INT(req.upgrade, c->up, ctx);
    CHECK_INT(req.head_len, c->len, ctx);
    bool inside =
        view_inside(req.method, c->raw, c->len) && view_inside(req.target, c->raw, c->len);
    for (size_t i = 0; i < req.nheaders; i++)
        inside = inside && view_inside(req.headers[i].name, c->raw, c->len) &&
                 view_inside(req.headers[i].value, c->raw, c->len);
    CHECK(inside, "%s: views inside the buffer", ctx);
}

static void test_request_table(void)
{
    struct http_limits lim;
    http_limits_default(&lim);
    for (size_t i = 0; i < sizeof rq_cases / sizeof rq_cases[0]; i++) {
        const struct rq *c = &rq_cases[i];
        char ctx[160];
        snprintf(ctx, sizeof ctx, "request #%zu '%.40s'", i, c->raw);
        struct http_error e = {0, NULL};
        int r = parse_req_exact(c->raw, c->len, &lim, &e);
        if (c->status == 0) {
            CHECK(r > 0, "%s: rejected %d %s", ctx, e.status, e.reason ? e.reason : "");
            if (r > 0)
                check_valid_request(c, ctx);
        } else {
            CHECK_INT(r, -1, ctx);
            CHECK_INT(e.status, c->status, ctx);
            CHECK(e.reason != NULL && (c->reason == NULL || strstr(e.reason, c->reason)),
                  "%s: reason '%s' want '%s'", ctx, e.reason ? e.reason : "(null)",
                  c->reason ? c->reason : "");
        }
        check_prefixes(c->raw, c->len, r, &e, ctx);
    }
    printf("request table: %zu cases\n", sizeof rq_cases / sizeof rq_cases[0]);
}

/* ---- request details: header views, expect, upgrade proto, limits ------------------------------
 */

static void test_request_details(void)
{
    struct http_error e;
    const char a[] = "POST /a HTTP/1.1\r\nHost:  d \r\nX-T:\t v \t\r\nExpect: 100-CONTINUE\r\n"
                     "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\nBODY";
    int r = http_parse_request(a, sizeof a - 1, NULL, &req, &e);
    CHECK_INT(r, sizeof a - 1 - 4, "details: body bytes are not part of the head");
    CHECK_INT(req.nheaders, 5, "details: nheaders");
    CHECK_STR(req.headers[0].name.p, req.headers[0].name.len, "Host", "details: name");
    CHECK_STR(req.headers[0].value.p, req.headers[0].value.len, "d", "details: trimmed value");
    CHECK_STR(req.headers[1].value.p, req.headers[1].value.len, "v", "details: tab trimmed");
    CHECK_INT(req.expect_continue, 1, "details: expect");
    CHECK_INT(req.upgrade, 1, "details: upgrade");
    CHECK_STR(req.upgrade_proto.p, req.upgrade_proto.len, "tcp", "details: upgrade proto");

    const char b[] = "POST /a HTTP/1.0\r\nExpect: 100-continue\r\n\r\n";
    CHECK_INT(http_parse_request(b, sizeof b - 1, NULL, &req, &e), sizeof b - 1, "1.0 expect");
    CHECK_INT(req.expect_continue, 0, "1.0: 100-continue is ignored");
    const char c[] = "POST /a HTTP/1.1\r\nHost: d\r\n\r\n";
    CHECK_INT(http_parse_request(c, sizeof c - 1, NULL, &req, &e), sizeof c - 1, "no expect");
    CHECK_INT(req.expect_continue, 0, "no expect: flag clear");
    CHECK(req.upgrade_proto.p == NULL && req.upgrade_proto.len == 0, "no upgrade: empty proto");

    /* The parser reuses req: a previous parse must leave nothing behind. */
    const char d[] = "GET /b HTTP/1.0\r\n\r\n";
    http_parse_request(a, sizeof a - 1, NULL, &req, &e);
    CHECK_INT(http_parse_request(d, sizeof d - 1, NULL, &req, &e), sizeof d - 1, "reuse");
    CHECK(!req.upgrade && !req.expect_continue && req.nheaders == 0 && req.body == HTTP_BODY_NONE,
          "reuse: fields reset");
}

/* Builds "GET /<pad> HTTP/1.1\r\n" + nh headers "Xnnn: v\r\n" + "Host: d\r\n" + CRLF into buf. */
static size_t build_req(char *buf, size_t cap, size_t target_len, size_t nh, size_t value_len)
{
    size_t n = (size_t)snprintf(buf, cap, "GET /");
    for (size_t i = 1; i < target_len; i++)
        buf[n++] = 'a';
    n += (size_t)snprintf(buf + n, cap - n, " HTTP/1.1\r\n");
    for (size_t i = 0; i < nh; i++) {
        n += (size_t)snprintf(buf + n, cap - n, "X%zu: ", i);
        for (size_t j = 0; j < value_len; j++)
            buf[n++] = 'v';
        buf[n++] = '\r';
        buf[n++] = '\n';
    }
    n += (size_t)snprintf(buf + n, cap - n, "Host: d\r\n\r\n");
    return n;
}

static void expect_req(const char *buf, size_t len, const struct http_limits *lim, int want_status,
                       const char *ctx)
{
    struct http_error e = {0, NULL};
    int r = http_parse_request(buf, len, lim, &req, &e);
    if (want_status == 0) {
        CHECK_INT(r, len, ctx);
    } else if (want_status < 0) {
        CHECK_INT(r, 0, ctx);
    } else {
        CHECK_INT(r, -1, ctx);
        CHECK_INT(e.status, want_status, ctx);
    }
}

static void test_request_limits(void)
{
    static char buf[1 << 20];
    struct http_limits lim;
    http_limits_default(&lim);
    CHECK(lim.max_head_bytes == 65536 && lim.max_line_bytes == 8192 && lim.max_headers == 100,
          "default limits");
    size_t rl = strlen("GET / HTTP/1.1"); /* request line length with a 1-byte target */
    size_t n = build_req(buf, sizeof buf, 8192 - rl + 1, 0, 0);
    expect_req(buf, n, &lim, 0, "request line of exactly max_line");
    n = build_req(buf, sizeof buf, 8192 - rl + 2, 0, 0);
    expect_req(buf, n, &lim, 414, "request line max_line+1");
    expect_req(buf, 8192, &lim, -1, "incomplete request line at max_line");
    expect_req(buf, 8194, &lim, 414, "incomplete request line over max_line");
    n = build_req(buf, sizeof buf, 20000, 0, 0);
    expect_req(buf, 9000, &lim, 414, "incomplete long request line");

    n = build_req(buf, sizeof buf, 1, 99, 0);
    expect_req(buf, n, &lim, 0, "99 headers + Host");
    n = build_req(buf, sizeof buf, 1, 100, 0);
    expect_req(buf, n, &lim, 431, "101 headers");
    lim.max_headers = 1000; /* capped at HTTP_MAX_HEADERS_CAP */
    n = build_req(buf, sizeof buf, 1, 255, 0);
    expect_req(buf, n, &lim, 0, "256 headers with a raised limit");
    n = build_req(buf, sizeof buf, 1, 256, 0);
    expect_req(buf, n, &lim, 431, "257 headers: hard cap");
    lim.max_headers = 2;
    n = build_req(buf, sizeof buf, 1, 1, 0);
    expect_req(buf, n, &lim, 0, "max_headers=2: 2");
    n = build_req(buf, sizeof buf, 1, 2, 0);
    expect_req(buf, n, &lim, 431, "max_headers=2: 3");

    http_limits_default(&lim);
    n = build_req(buf, sizeof buf, 1, 1, 1000);
    lim.max_head_bytes = n;
    expect_req(buf, n, &lim, 0, "head of exactly max_head");
    lim.max_head_bytes = n - 1;
    expect_req(buf, n, &lim, 431, "head of max_head+1");
    expect_req(buf, n - 1, &lim, 431, "incomplete head at max_head");
    expect_req(buf, n - 2, &lim, -1, "incomplete head below max_head");
    http_limits_default(&lim);
    n = build_req(buf, sizeof buf, 1, 10, 8000);
    expect_req(buf, n, &lim, 431, "80 kB head over 64 kB");
    expect_req(buf, 65536, &lim, 431, "64 kB without an end");
    expect_req(buf, 65535, &lim, -1, "just under 64 kB without an end");
    lim.max_line_bytes = 100000; /* the head limit then applies to the request line */
    n = build_req(buf, sizeof buf, 70000, 0, 0);
    expect_req(buf, n, &lim, 431, "request line over the head limit");
    lim.max_head_bytes = SIZE_MAX;
    lim.max_line_bytes = SIZE_MAX;
    n = build_req(buf, sizeof buf, 70000, 0, 0);
    expect_req(buf, n, &lim, 0, "unbounded limits");
}

/* ---- real client heads ------------------------------------------------------------------------
 */

static void test_real_clients(void)
{
    struct http_error e;
    const char ping[] = "HEAD /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n"
                        "User-Agent: Docker-Client/27.3.1 (linux)\r\n\r\n";
    CHECK_INT(http_parse_request(R(ping), NULL, &req, &e), sizeof ping - 1, "cli ping");
    CHECK_STR(req.method.p, req.method.len, "HEAD", "cli ping method");
    CHECK(req.body == HTTP_BODY_NONE && req.keep_alive && !req.upgrade, "cli ping framing");

    const char exec[] = "POST /v1.41/exec/4f2a9c1e0b7d/start HTTP/1.1\r\n"
                        "Host: api.moby.localhost\r\n"
                        "User-Agent: Docker-Client/27.3.1 (linux)\r\n"
                        "Content-Length: 46\r\n"
                        "Connection: Upgrade\r\n"
                        "Content-Type: application/json\r\n"
                        "Upgrade: tcp\r\n\r\n"
                        "{\"Detach\":false,\"Tty\":true,\"ConsoleSize\":null}";
    CHECK_INT(http_parse_request(R(exec), NULL, &req, &e), sizeof exec - 1 - 46, "cli exec");
    CHECK(req.body == HTTP_BODY_LENGTH && req.content_length == 46, "cli exec body");
    CHECK(req.upgrade && req.keep_alive, "cli exec upgrade");
    CHECK_STR(req.upgrade_proto.p, req.upgrade_proto.len, "tcp", "cli exec proto");
    CHECK_STR(req.target.p, req.target.len, "/v1.41/exec/4f2a9c1e0b7d/start", "cli exec target");

    const char build[] =
        "POST /v1.41/build?buildargs=%7B%7D&cachefrom=%5B%5D&cgroupparent=&cpuperiod=0&cpuquota=0"
        "&dockerfile=Dockerfile&labels=%7B%7D&memory=0&memswap=0&networkmode=default&rm=1"
        "&shmsize=0&t=app%3Alatest&target=&ulimits=null&version=1 HTTP/1.1\r\n"
        "Host: api.moby.localhost\r\n"
        "User-Agent: Docker-Client/27.3.1 (linux)\r\n"
        "Transfer-Encoding: chunked\r\n"
        "Content-Type: application/x-tar\r\n"
        "X-Registry-Config: e30=\r\n"
        "Accept-Encoding: gzip\r\n\r\n";
    CHECK_INT(http_parse_request(R(build), NULL, &req, &e), sizeof build - 1, "cli build");
    CHECK(req.body == HTTP_BODY_CHUNKED && !req.upgrade, "cli build chunked");
    const struct http_header *h = http_find_header(req.headers, req.nheaders, "x-registry-config");
    CHECK(h != NULL && h->value.len == 4, "cli build registry config");

    const char node[] = "POST /containers/create?name=web HTTP/1.1\r\n"
                        "Content-Type: application/json\r\n"
                        "Content-Length: 17\r\n"
                        "Host: localhost:2375\r\n"
                        "Connection: close\r\n\r\n";
    CHECK_INT(http_parse_request(R(node), NULL, &req, &e), sizeof node - 1, "dockerode");
    CHECK(req.body == HTTP_BODY_LENGTH && req.content_length == 17 && !req.keep_alive,
          "dockerode framing");
    const char *heads[] = {ping, exec, build, node};
    for (size_t i = 0; i < 4; i++) {
        size_t len = strlen(heads[i]);
        int r = http_parse_request(heads[i], len, NULL, &req, &e);
        check_prefixes(heads[i], (size_t)r, r, &e, "real client prefixes");
    }
}

/* ---- responses ----------------------------------------------------------------------------------
 */

struct rs {
    const char *raw;
    size_t len;
    bool is_head;
    int ok; /* 1 valid, 0 → 502 */
    int status;
    enum http_body body;
    uint64_t cl;
    int ka, up;
};

#define ROK(s, hd, st, b, cl, ka, up)                                                              \
    {                                                                                              \
        R(s), hd, 1, st, b, cl, ka, up                                                             \
    }
#define RBAD(s, hd)                                                                                \
    {                                                                                              \
        R(s), hd, 0, 0, HTTP_BODY_NONE, 0, 0, 0                                                    \
    }
#define CLOSE HTTP_BODY_CLOSE

static const struct rs rs_cases[] = {
    ROK("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", 0, 200, LEN, 2, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", 0, 200, LEN, 2, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 200, CHK, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n", 0, 200, CHK, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0, 200, CHK, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 200,
        CHK, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, 200, CLOSE, 0, 0, 0),
    ROK("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 0, 200, CLOSE, 0, 0, 0),
    ROK("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 0, 200,
        CLOSE, 0, 0, 0),
    ROK("HTTP/1.1 200 OK\r\n\r\n", 0, 200, CLOSE, 0, 0, 0),
    ROK("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n", 0, 200, CLOSE, 0, 0, 0),
    ROK("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 0, 200, LEN, 0, 0, 0),
    ROK("HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 200, CHK,
        0, 0, 0),
    ROK("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n", 0, 200, LEN, 3, 0, 0),
    ROK("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\n", 0, 200, LEN, 3, 1,
        0),
    ROK("HTTP/1.0 200 OK\r\n\r\n", 0, 200, CLOSE, 0, 0, 0),
    ROK("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 1, 200, NONE, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 1, 200, NONE, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\n\r\n", 1, 200, NONE, 0, 1, 0),
    ROK("HTTP/1.1 204 No Content\r\n\r\n", 0, 204, NONE, 0, 1, 0),
    ROK("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 0, 204, NONE, 0, 1, 0),
    ROK("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", 0, 304, NONE, 0, 1, 0),
    ROK("HTTP/1.1 100 Continue\r\n\r\n", 0, 100, NONE, 0, 1, 0),
    ROK("HTTP/1.1 102 Processing\r\n\r\n", 0, 102, NONE, 0, 1, 0),
    ROK("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", 0, 103, NONE, 0, 1, 0),
    ROK("HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
        "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
        0, 101, NONE, 0, 0, 1),
    ROK("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", 0, 101,
        NONE, 0, 0, 1),
    ROK("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", 0, 200, LEN, 0, 1, 0),
    ROK("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", 0, 200, LEN, 0, 1, 0),
    ROK("HTTP/1.1 404 Not Found\r\nContent-Length: 29\r\n\r\n", 0, 404, LEN, 29, 1, 0),
    ROK("HTTP/1.1 999 X\r\nContent-Length: 0\r\n\r\n", 0, 999, LEN, 0, 1, 0),
    ROK("HTTP/1.1 200 caf\xc3\xa9\tok\r\nContent-Length: 0\r\n\r\n", 0, 200, LEN, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nCache-Control: no-cache, no-store, "
        "must-revalidate\r\nContent-Length: 0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Docker-Experimental: false\r\nOstype: linux\r\nPragma: no-cache\r\nServer: Docker/27.3.1 "
        "(linux)\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n",
        1, 200, NONE, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT"
        "\r\nTransfer-Encoding: chunked\r\n\r\n",
        0, 200, CHK, 0, 1, 0),
    ROK("HTTP/1.1 200 OK\r\nContent-Length: 4611686018427387904\r\n\r\n", 0, 200, LEN,
        4611686018427387904ULL, 1, 0),
    RBAD("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 02\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nContent-Length: 4611686018427387905\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", 1),
    RBAD("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n", 0),
    RBAD("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nTransfer-Encoding: \"gzip\"\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\nContent-Length: 0\n\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nX : a\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\nX: a\0\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 OK\r\n: a\r\n\r\n", 0),
    RBAD("HTTP/1.2 200 OK\r\n\r\n", 0),
    RBAD("HTTP/2 200\r\n\r\n", 0),
    RBAD("HTTP/2.0 200 OK\r\n\r\n", 0),
    RBAD("http/1.1 200 OK\r\n\r\n", 0),
    RBAD("HTTP/1.1 20 OK\r\n\r\n", 0),
    RBAD("HTTP/1.1 099 X\r\n\r\n", 0),
    RBAD("HTTP/1.1 2000 OK\r\n\r\n", 0),
    RBAD("HTTP/1.1 200OK\r\n\r\n", 0),
    RBAD("HTTP/1.1  200 OK\r\n\r\n", 0),
    RBAD("HTTP/1.1 2x0 OK\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 O\x01K\r\n\r\n", 0),
    RBAD("HTTP/1.1 200 O\x7fK\r\n\r\n", 0),
    RBAD("\r\nHTTP/1.1 200 OK\r\n\r\n", 0),
    RBAD("ICY 200 OK\r\n\r\n", 0),
};

static void test_response_table(void)
{
    for (size_t i = 0; i < sizeof rs_cases / sizeof rs_cases[0]; i++) {
        const struct rs *c = &rs_cases[i];
        char ctx[160];
        snprintf(ctx, sizeof ctx, "response #%zu '%.40s'", i, c->raw);
        struct http_error e = {0, NULL};
        char *copy = malloc(c->len);
        memcpy(copy, c->raw, c->len);
        int r = http_parse_response(copy, c->len, c->is_head, 65536, &resp, &e);
        if (c->ok) {
            CHECK_INT(r, c->len, ctx);
            CHECK_INT(resp.status, c->status, ctx);
            CHECK_INT(resp.body, c->body, ctx);
            CHECK_INT(resp.content_length, c->cl, ctx);
            CHECK_INT(resp.keep_alive, c->ka, ctx);
            CHECK_INT(resp.upgrade, c->up, ctx);
            CHECK_INT(resp.head_len, c->len, ctx);
        } else {
            CHECK_INT(r, -1, ctx);
            CHECK_INT(e.status, 502, ctx);
            CHECK(e.reason != NULL, "%s: reason set", ctx);
        }
        int bad = 0;
        for (size_t k = 0; k < c->len && !bad; k++) {
            struct http_error pe = {0, NULL};
            int pr = http_parse_response(copy, k, c->is_head, 65536, &resp, &pe);
            bad = pr != 0 && (pr != -1 || r != -1 || pe.reason != e.reason);
        }
        CHECK(!bad, "%s: prefixes give 0 or the same error", ctx);
        free(copy);
    }
    printf("response table: %zu cases\n", sizeof rs_cases / sizeof rs_cases[0]);
}

static void test_response_details(void)
{
    struct http_error e;
    const char a[] =
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n"
        "no\n";
    CHECK_INT(http_parse_response(R(a), false, 65536, &resp, &e), sizeof a - 1 - 3, "resp body");
    CHECK_INT(resp.minor, 1, "resp minor");
    CHECK_STR(resp.reason.p, resp.reason.len, "Not Found", "resp reason");
    CHECK_INT(resp.nheaders, 2, "resp nheaders");
    CHECK_STR(resp.headers[0].value.p, resp.headers[0].value.len, "text/plain", "resp header");
    const char b[] = "HTTP/1.0 200\r\n\r\n";
    CHECK_INT(http_parse_response(R(b), false, 65536, &resp, &e), sizeof b - 1, "resp no reason");
    CHECK_INT(resp.minor, 0, "resp 1.0");
    CHECK_INT(resp.reason.len, 0, "resp empty reason");

    static char big[70000];
    size_t n = (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n");
    while (n < 66000) { /* 1 kB lines: 66 headers, well under the count limit */
        n += (size_t)snprintf(big + n, sizeof big - n, "X-Pad: ");
        memset(big + n, 'p', 1000);
        n += 1000;
        n += (size_t)snprintf(big + n, sizeof big - n, "\r\n");
    }
    n += (size_t)snprintf(big + n, sizeof big - n, "\r\n");
    CHECK_INT(http_parse_response(big, n, false, 65536, &resp, &e), -1, "resp head too large");
    CHECK(e.status == 502 && strstr(e.reason, "too large"), "resp too large reason");
    CHECK_INT(http_parse_response(big, 65536, false, 65536, &resp, &e), -1, "resp incomplete 64k");
    CHECK_INT(http_parse_response(big, 65535, false, 65536, &resp, &e), 0, "resp under 64k");
    CHECK_INT(http_parse_response(big, n, false, n, &resp, &e), n, "resp at exactly max");
    CHECK_INT(http_parse_response(big, n, false, n - 1, &resp, &e), -1, "resp one over max");

    n = (size_t)snprintf(big, sizeof big, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < HTTP_MAX_HEADERS_CAP; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "X: %d\r\n", i);
    memcpy(big + n, "\r\n", 2);
    CHECK_INT(http_parse_response(big, n + 2, false, 65536, &resp, &e), n + 2, "resp 256 headers");
    n += (size_t)snprintf(big + n, sizeof big - n, "Y: z\r\n\r\n");
    CHECK_INT(http_parse_response(big, n, false, 65536, &resp, &e), -1, "resp 257 headers");
}

/* ---- helpers ------------------------------------------------------------------------------------
 */

static struct http_view V(const char *s) {
    return (struct http_view){s, strlen(s)};
}

static void
test_helpers(void)
{
    static const struct {
        const char *value, *token;
        bool want;
    } tok[] = {
        {"close", "close", true},
        {"Close", "close", true},
        {"keep-alive, close", "close", true},
        {" a ,\tclose\t", "close", true},
        {"closed", "close", false},
        {"", "close", false},
        {"c lose", "close", false},
        {",,,", "close", false},
        {"upgrade,", "upgrade", true},
        {"x-upgrade", "upgrade", false},
        {"close;", "close", false},
        {"a,b,c", "b", true},
    };
    for (size_t i = 0; i < sizeof tok / sizeof tok[0]; i++)
        CHECK(http_has_token(V(tok[i].value), tok[i].token) == tok[i].want &&
                  http_list_has(V(tok[i].value), V(tok[i].token)) == tok[i].want,
              "has_token('%s','%s')", tok[i].value, tok[i].token);
    CHECK(http_list_has(V("a, Upgrade"), (struct http_view){"upgraded", 7}), "list_has: view length");
    CHECK(!http_list_has(V("a,,b"), (struct http_view){"", 0}), "list_has: empty never matches");

    static const struct {
        const char *name;
        bool hop;
    } hop[] = {
        {"Connection", true},
        {"keep-alive", true},
        {"Proxy-Authorization", true},
        {"Proxy-Connection", true},
        {"Proxy-Authenticate", true},
        {"TE", true},
        {"Trailer", true},
        {"Transfer-Encoding", true},
        {"UPGRADE", true},
        {"Content-Length", false},
        {"Host", false},
        {"Proxy", false},
        {"Proxy-", false},
        {"Trailers", false},
        {"X-Connection", false},
        {"Tee", false},
    };
    for (size_t i = 0; i < sizeof hop / sizeof hop[0]; i++)
        CHECK(http_is_hop_by_hop(V(hop[i].name)) == hop[i].hop, "hop_by_hop('%s')", hop[i].name);

    struct http_header h[3] = {
        {V("Host"), V("d")}, {V("Content-Type"), V("a")}, {V("content-type"), V("b")}};
    CHECK(http_find_header(h, 3, "CONTENT-TYPE") == &h[1], "find_header: first match");
    CHECK(http_find_header(h, 3, "Content-Typ") == NULL, "find_header: no prefix match");
    CHECK(http_find_header(h, 1, "Content-Type") == NULL, "find_header: respects n");
    CHECK(http_find_header(h, 0, "Host") == NULL, "find_header: empty");
}

int main(void)
{
    test_request_table();
    test_request_details();
    test_request_limits();
    test_real_clients();
    test_response_table();
    test_response_details();
    test_helpers();
    return TEST_SUMMARY("http");
}

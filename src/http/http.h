/* http — strict HTTP/1.1 message-head parser. Pure: no I/O, no allocation.
 *
 * Contract:
 *  - http_parse_request() parses one request head from the start of buf. It returns the head length
 *    (> 0, including the final CRLF CRLF), 0 when more bytes are needed, or -1 on a definite error,
 *    with err->status (400, 414, 417, 431, 501, 505) and err->reason (a short static string) set.
 *    Strict per RFC 9112 and stricter where a lenient reading would desync from Go's net/http
 *    (dockerd): bare CR/LF, obs-fold, whitespace before ':', control bytes, CL+TE, differing CL,
 *    TE other than exactly "chunked", TE on HTTP/1.0, HTTP/0.9, HTTP/2 preface, non-origin-form
 *    targets.
 *    Up to 4 empty lines before the request line are skipped (RFC 9112 §2.2) and count in the head
 *    length; the request line itself starts at req->method.p. An error found in a prefix of the
 *    input is the error the whole input gives, so a caller may stop reading at the first non-0.
 *  - Returned string views point into buf; they are valid while buf is.
 *  - http_parse_response() parses a response head (from the upstream) and computes its body framing.
 *  - The chunked transfer coding (validator and decoder) is in chunk.h, included here.
 */
#ifndef SW_HTTP_H
#define SW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/chunk.h"

#define HTTP_MAX_HEADERS_CAP 256 /* hard ceiling on the headers array */
#define HTTP_MAX_CONTENT_LENGTH ((uint64_t)1 << 62) /* largest Content-Length we frame */

struct http_limits {
    size_t max_head_bytes;   /* request line + headers; larger → 431 (default 65536) */
    size_t max_line_bytes;   /* request line; longer → 414 (default 8192) */
    size_t max_headers;      /* header count; more → 431 (default 100, ≤ HTTP_MAX_HEADERS_CAP) */
};

struct http_view {
    const char *p;
    size_t len;
};

struct http_header {
    struct http_view name;
    struct http_view value; /* leading/trailing SP/HT trimmed */
};

enum http_body { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED, HTTP_BODY_CLOSE };

struct http_error {
    int status;         /* HTTP status to answer with */
    const char *reason; /* short, specific, static; safe to log and to send */
};

struct http_request {
    struct http_view method; /* token, case preserved */
    struct http_view target; /* origin-form: starts with '/' (or "*" for OPTIONS) */
    int minor;               /* 0 or 1 (HTTP/1.x) */
    struct http_header headers[HTTP_MAX_HEADERS_CAP];
    size_t nheaders;
    enum http_body body;      /* NONE, LENGTH or CHUNKED */
    uint64_t content_length;  /* when body == LENGTH */
    bool keep_alive;          /* 1.1 unless "Connection: close"; 1.0 only with "keep-alive" */
    bool upgrade;             /* Connection has the "upgrade" token and an Upgrade header exists
                                 (HTTP/1.1 only: RFC 9110 §7.8 ignores Upgrade in 1.0) */
    struct http_view upgrade_proto; /* value of the Upgrade header */
    bool expect_continue;     /* "Expect: 100-continue" on 1.1; other expectations → 417 */
    size_t head_len;
};

struct http_response {
    int status;
    int minor;
    struct http_view reason;
    struct http_header headers[HTTP_MAX_HEADERS_CAP];
    size_t nheaders;
    enum http_body body;     /* framing computed with the request method in mind */
    uint64_t content_length;
    bool keep_alive;         /* the upstream will keep the connection open afterwards */
    bool upgrade;            /* 101 with Upgrade */
    size_t head_len;
};

void http_limits_default(struct http_limits *lim);

/* Returns head length (>0), 0 = incomplete, -1 = error (see err). */
int http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
                       struct http_request *req, struct http_error *err);

/* is_head: the request was HEAD (no body whatever the headers say).
 * Returns head length (>0), 0 = incomplete, -1 = malformed (err->status = 502). */
int http_parse_response(const char *buf, size_t len, bool is_head, size_t max_head_bytes,
                        struct http_response *resp, struct http_error *err);

/* Case-insensitive header lookup; NULL if absent. */
const struct http_header *http_find_header(const struct http_header *h, size_t n, const char *name);

/* True for hop-by-hop headers a proxy must not forward (Connection, Keep-Alive, Proxy-*, TE,
 * Trailer, Transfer-Encoding, Upgrade) — the caller decides about Upgrade on hijack routes. */
bool http_is_hop_by_hop(struct http_view name);

/* True if the comma-separated header value contains token (case-insensitive). */
bool http_has_token(struct http_view value, const char *token);

/* name equals lc (lower case, n bytes) ignoring ASCII case: header names, single tokens. */
bool http_name_eq(struct http_view name, const char *lc, size_t n);
/* The same with the token as a view: true if the comma-separated list has an element equal to
 * token, ignoring ASCII case (empty elements never match). */
bool http_list_has(struct http_view list, struct http_view token);

/* Byte classes shared with canon, query and `sockwarden check`, so that one definition decides. */

/* RFC 9110 §5.6.2 tchar (the bytes of a method or header name). */
bool http_is_tchar(unsigned char c);

/* The value of one hex digit (0-9, a-f, A-F), or -1. */
int http_hex_digit(unsigned char c);

#endif

/* forward — what the proxy sends on: the request head it forwards and the plan for relaying a
 * response. Pure: no I/O, no allocation, no global state (options come from the caller).
 *
 * Contract:
 *  - forward_request_head() writes the request head sent to the engine into buf and returns its
 *    length, or -1 when cap is too small or a replacement body length is over
 *    HTTP_MAX_CONTENT_LENGTH (nothing useful is left in buf then). A cap of
 *    forward_request_head_bound() always suffices. Hop-by-hop headers and Content-Length are
 *    dropped and the framing is re-created from the parsed request; Expect is forwarded (the engine
 *    answers 100-continue itself).
 *  - response_plan() only decides; it reads resp and never changes it. It looks at each parsed
 *    header at most once, and only to find a hop-by-hop one, so the common response (no Connection,
 *    Keep-Alive, TE, Trailer, Upgrade or Proxy-* header, nothing to announce) costs one pass and
 *    is relayed verbatim (rewrite false).
 *  - forward_response_head() writes a response head into buf and returns its length, or -1 when
 *    cap is too small or the options make no sense for the response (a new body length for a
 *    response without a body, or one over HTTP_MAX_CONTENT_LENGTH). A cap of
 * forward_response_head_bound() always suffices. Its output parses back with http_parse_response()
 * (same is_head) to the same status, reason, framing and end-to-end headers in order, with no
 * hop-by-hop header except the Connection line it adds (and Upgrade on a 101). It never points into
 * or changes the engine's buffer: the views in resp stay valid (the in-place insertion it replaces
 * did not guarantee that).
 */
#ifndef SW_FORWARD_H
#define SW_FORWARD_H

#include "http/canon.h"
#include "http/http.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- request ----------------------------------------------------------------------------------
 */

struct forward_request_opts {
    bool upgrade;          /* the client asked for an upgrade on a hijack route: forward
                              "Connection: Upgrade" and its Upgrade protocol */
    bool engine_keepalive; /* UPSTREAM_KEEPALIVE: the engine connection may be reused */
    bool replace_length;   /* the body was held (and decoded or replaced): send
                              "Content-Length: body_length" and no Transfer-Encoding */
    uint64_t body_length;
};

/* A capacity that always suffices for forward_request_head(req, cn, ...). */
size_t forward_request_head_bound(const struct http_request *req, const struct canon *cn);

/* "METHOD <canon_format_target(cn)> HTTP/1.x" CRLF, the end-to-end headers in order, the framing
 * (Content-Length: N or Transfer-Encoding: chunked as parsed, or opts->body_length), then one of
 * "Connection: Upgrade" + "Upgrade: <proto>" (opts->upgrade), "Connection: close" (1.1 and no
 * engine keep-alive), "Connection: keep-alive" (1.0 keep-alive with engine keep-alive), CRLF. */
int forward_request_head(const struct http_request *req, const struct canon *cn,
                         const struct forward_request_opts *opts, char *buf, size_t cap);

/* ---- response ---------------------------------------------------------------------------------
 */

enum response_kind {
    RESPONSE_INTERIM, /* 1xx other than 101: pass the head on, the final response follows */
    RESPONSE_TUNNEL,  /* 101 on a hijack route that asked for it, or the legacy raw 200 stream:
                         relay the head verbatim, then both directions become a raw tunnel */
    RESPONSE_BAD,     /* answer 502 (reason below); nothing was sent to the client */
    RESPONSE_RELAY,   /* a final response: relay the head (verbatim or rewritten), then the body */
};

enum response_connection {
    RESPONSE_CONN_AS_IS,      /* add no Connection line */
    RESPONSE_CONN_CLOSE,      /* add "Connection: close" */
    RESPONSE_CONN_KEEP_ALIVE, /* add "Connection: keep-alive" (an HTTP/1.0 client stays open) */
};

struct response_ctx {
    bool hijack_route;      /* the route may switch protocols (attach, exec start, session, grpc) */
    bool upgrade_requested; /* the client's request asked for an upgrade (http_request.upgrade) */
    bool request_done;      /* the request, body included, has been sent completely */
    bool client_open;       /* the client connection stays open after this response (client
                               keep-alive and the proxy not draining) */
    bool client_http10;     /* the client spoke HTTP/1.0 (keep-alive must then be announced) */
};

struct response_plan {
    enum response_kind kind;
    const char *reason;      /* RESPONSE_BAD: short static reason, else NULL */
    enum http_body body;     /* RESPONSE_RELAY: the framing of the body that follows */
    uint64_t content_length; /* when body == HTTP_BODY_LENGTH */
    bool engine_keepalive;   /* the engine keeps its connection open after this response */
    bool head_only;          /* RESPONSE_RELAY: the response ends with its head (no body bytes) */
    bool rewrite;            /* the head must go out through forward_response_head(); false:
                                relay the engine's head_len bytes verbatim */
    enum response_connection connection; /* when rewrite: the Connection line to add */
    bool other_coding; /* Transfer-Encoding names a coding besides chunked (gzip, …): a
                          held body cannot be read or given a new length */
};

struct response_plan response_plan(const struct http_response *resp,
                                   const struct response_ctx *ctx);

struct forward_response_opts {
    enum response_connection connection; /* plan.connection */
    bool replace_length;                 /* the body was held and filtered: "Content-Length:
                                            body_length" replaces the original framing */
    uint64_t body_length;
};

/* A capacity that always suffices for forward_response_head(resp, ...). */
size_t forward_response_head_bound(const struct http_response *resp);

/* "HTTP/1.1 <status> <engine's reason>" CRLF, the end-to-end headers in order (dropped: Connection
 * and the headers it names, Keep-Alive, Proxy-*, TE, Trailer, Upgrade except on a 101), the
 * framing (opts->body_length; else "Content-Length: N" as parsed, the engine's Transfer-Encoding
 * lines, which name the codings of the bytes relayed, or nothing for a close-delimited body; on a
 * response without a body its Content-Length and Transfer-Encoding lines are kept as they came),
 * then the Connection line ("Connection: Upgrade" on a 101, else opts->connection), CRLF. */
int forward_response_head(const struct http_response *resp,
                          const struct forward_response_opts *opts, char *buf, size_t cap);

#endif

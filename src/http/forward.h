/* forward — what the proxy sends on (interim version inside the core split; replaced by the
 * pure forward module). */
#ifndef SW_FORWARD_H
#define SW_FORWARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/canon.h"
#include "http/http.h"
#include "policy/policy.h"

struct forward_opts {
    bool upgrade;
    bool upstream_keepalive;
    bool body_replaced;
    uint64_t body_len;
};
size_t forward_request_head_size(const struct http_request *req, const struct canon *cn);
int forward_request_head(const struct http_request *req, const struct canon *cn,
                         const struct forward_opts *o, char *out, size_t cap);

struct plan_in {
    enum route_kind route;
    bool upgrade_requested, request_done, client_keepalive;
};
enum plan_kind { PLAN_INTERIM, PLAN_TUNNEL, PLAN_BAD, PLAN_RELAY };
struct response_plan {
    enum plan_kind kind;
    const char *bad_reason;
    enum http_body body;
    uint64_t content_length;
    bool engine_keepalive, no_body, announce_close, rewrite;
};
void response_plan(const struct http_response *resp, const struct plan_in *in,
                   struct response_plan *out);

struct response_opts {
    bool announce_close;
    bool body_replaced;
    uint64_t body_len;
};
size_t forward_response_head_size(const struct http_response *resp);
int forward_response_head(const struct http_response *resp, const struct response_opts *o,
                          char *out, size_t cap);

enum chunk_result chunk_decode(struct chunk_state *cs, const char *in, size_t len, size_t *consumed,
                               char *out, size_t outcap, size_t *produced);
#endif

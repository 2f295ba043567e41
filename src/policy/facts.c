/* facts — request_facts_build(): the facts policy_decide() judges (see policy.h for the contract).
 * Views only: the path, version and query point into the struct canon, the method into the head,
 * the client is the connection's. One pass over the path (endpoint_split) and one over the query
 * (query_scan); the query is decoded only when a rule asks for a value (query.h). */
#include "policy/policy.h"

const struct client_identity client_unknown = {
    .kind = CLIENT_TCP,
    .listener = 0,
    .listener_name = "-",
};

void request_facts_from_target(struct request_facts *f, struct http_view method,
                               const struct canon *c, const struct client_identity *client)
{
    f->method = method;
    f->api_method = endpoint_method(method);
    endpoint_split((struct http_view){c->path, c->path_len}, &f->segs);
    f->version = (struct http_view){c->version, c->version_len};
    f->query = (struct http_view){c->query, c->query_len};
    f->query_error = NULL;
    f->query_status = c->query ? query_scan(c->query, c->query_len, &f->query_error) : QUERY_OK;
    endpoint_classify(f->api_method, &f->segs, &f->ep);
    f->client = client ? client : &client_unknown;
    f->body = HTTP_BODY_NONE;
    f->content_length = 0;
}

void request_facts_build(struct request_facts *f, const struct http_request *req,
                         const struct canon *c, const struct client_identity *client)
{
    request_facts_from_target(f, req->method, c, client);
    f->body = req->body;
    f->content_length = req->body == HTTP_BODY_LENGTH ? req->content_length : 0;
}

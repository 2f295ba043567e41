/* Fuzzes http_parse_response and checks the framing rules a relay depends on: views inside the
 * head, strict line endings, no body where RFC 9112 §6.3 forbids one, close-delimited bodies never
 * keep the connection, is_head changes the framing only, and prefixes agree with the whole. */
#include "http/http.h"
#include "http_fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_response resp, resp2;

static void check_accepted(const struct http_response *r, const char *buf, size_t n, bool is_head,
                           size_t max)
{
    must(r->head_len == n && n <= max);
    must_be_crlf_head(buf, n);
    must(memcmp(buf, "HTTP/1.", 7) == 0 && (r->minor == 0 || r->minor == 1));
    must(r->status >= 100 && r->status <= 999 && view_inside(r->reason, buf, n));
    must(r->nheaders <= HTTP_MAX_HEADERS_CAP);
    for (size_t i = 0; i < r->nheaders; i++)
        must(view_inside(r->headers[i].name, buf, n) && view_inside(r->headers[i].value, buf, n) &&
             r->headers[i].name.len > 0);
    bool no_body = is_head || r->status < 200 || r->status == 204 || r->status == 304;
    if (no_body)
        must(r->body == HTTP_BODY_NONE);
    else
        must(r->body != HTTP_BODY_NONE);
    must(r->upgrade == (r->status == 101));
    if (r->upgrade)
        must(!r->keep_alive && http_find_header(r->headers, r->nheaders, "upgrade") != NULL);
    if (r->body == HTTP_BODY_CLOSE)
        must(!r->keep_alive);
    if (r->body == HTTP_BODY_CHUNKED)
        must(r->minor == 1);
    if (r->body != HTTP_BODY_LENGTH)
        must(r->content_length == 0);
    must(r->content_length <= (uint64_t)1 << 62);
}

static int parse(const char *buf, size_t len, bool is_head, size_t max, struct http_response *r,
                 struct http_error *err)
{
    int n = http_parse_response(buf, len, is_head, max, r, err);
    must(n >= -1 && (n < 0 || (size_t)n <= len));
    if (n > 0)
        check_accepted(r, buf, (size_t)n, is_head, max);
    if (n < 0)
        must(err->status == 502 && err->reason != NULL);
    return n;
}

static int same_head(const struct http_response *a, const struct http_response *b)
{
    return a->status == b->status && a->minor == b->minor && a->reason.p == b->reason.p &&
           a->reason.len == b->reason.len && a->nheaders == b->nheaders && a->upgrade == b->upgrade;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    struct http_error err = {0, NULL}, e2 = {0, NULL};
    size_t max = size && (data[0] & 1) ? 512 : 65536;

    int whole = parse(buf, size, false, max, &resp, &err);
    int head = parse(buf, size, true, max, &resp2, &e2);
    must(head == whole);
    if (whole > 0)
        must(same_head(&resp, &resp2));
    else if (whole < 0)
        must(e2.reason == err.reason);

    size_t cuts[] = {size / 2, size ? size - 1 : 0, whole > 0 ? (size_t)whole - 1 : 0,
                     whole > 0 ? (size_t)whole : 0};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        int r = parse(buf, cuts[i], false, max, &resp2, &e2);
        if (whole > 0 && cuts[i] >= (size_t)whole)
            must(r == whole && same_head(&resp, &resp2) && resp.body == resp2.body &&
                 resp.keep_alive == resp2.keep_alive &&
                 resp.content_length == resp2.content_length);
        else if (r != 0)
            must(whole == -1 && r == -1 && e2.reason == err.reason);
    }
    free(buf);
    return 0;
}

/* Fuzzes http_parse_request and checks what a caller relies on, not only memory safety:
 * the answer is one of 0 / -1 / head length, every view lies inside the head, the accepted head
 * has the strict shape promised in http.h, a prefix never gives a different answer, and tighter
 * limits never turn a rejection into an acceptance. */
#include "http/http.h"
#include "http_fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_request req, req2;

static int is_tchar(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void check_headers(const struct http_request *r, const char *buf, size_t n,
                          const struct http_limits *lim)
{
    must(r->nheaders <= lim->max_headers && r->nheaders <= HTTP_MAX_HEADERS_CAP);
    for (size_t i = 0; i < r->nheaders; i++) {
        struct http_view nm = r->headers[i].name, v = r->headers[i].value;
        must(view_inside(nm, buf, n) && view_inside(v, buf, n) && nm.len > 0);
        for (size_t j = 0; j < nm.len; j++)
            must(is_tchar((unsigned char)nm.p[j]));
        for (size_t j = 0; j < v.len; j++) {
            unsigned char c = (unsigned char)v.p[j];
            must(c == '\t' || (c >= 0x20 && c != 0x7f));
        }
        if (v.len > 0)
            must(v.p[0] != ' ' && v.p[0] != '\t' && v.p[v.len - 1] != ' ' &&
                 v.p[v.len - 1] != '\t');
    }
}

static void check_accepted(const struct http_request *r, const char *buf, int n,
                           const struct http_limits *lim)
{
    must((size_t)n == r->head_len && (size_t)n <= lim->max_head_bytes);
    must_be_crlf_head(buf, (size_t)n);
    must(view_inside(r->method, buf, (size_t)n) && r->method.len > 0);
    for (size_t i = 0; i < r->method.len; i++)
        must(is_tchar((unsigned char)r->method.p[i]));
    must(view_inside(r->target, buf, (size_t)n) && r->target.len > 0);
    /* method SP target SP HTTP/1.x, within the line limit */
    must(r->target.p == r->method.p + r->method.len + 1);
    must(r->method.len + r->target.len + 10 <= lim->max_line_bytes);
    if (r->target.p[0] != '/')
        must(r->target.len == 1 && r->target.p[0] == '*' && r->method.len == 7 &&
             memcmp(r->method.p, "OPTIONS", 7) == 0);
    for (size_t i = 0; i < r->target.len; i++) {
        unsigned char c = (unsigned char)r->target.p[i];
        must(c > 0x20 && c < 0x7f && c != '#');
    }
    must(r->minor == 0 || r->minor == 1);
    check_headers(r, buf, (size_t)n, lim);
    if (r->minor == 1)
        must(http_find_header(r->headers, r->nheaders, "host") != NULL);
    must(r->body == HTTP_BODY_NONE || r->body == HTTP_BODY_LENGTH || r->body == HTTP_BODY_CHUNKED);
    if (r->body != HTTP_BODY_LENGTH)
        must(r->content_length == 0);
    must(r->content_length <= (uint64_t)1 << 62);
    if (r->body == HTTP_BODY_CHUNKED)
        must(r->minor == 1 && !http_find_header(r->headers, r->nheaders, "content-length"));
    if (r->upgrade)
        must(r->minor == 1 && r->upgrade_proto.len > 0 &&
             view_inside(r->upgrade_proto, buf, (size_t)n));
    if (r->expect_continue)
        must(r->minor == 1);
}

static int parse(const char *buf, size_t len, const struct http_limits *lim, struct http_request *r,
                 struct http_error *err)
{
    int n = http_parse_request(buf, len, lim, r, err);
    must(n >= -1 && (n < 0 || (size_t)n <= len));
    if (n > 0)
        check_accepted(r, buf, n, lim);
    if (n < 0)
        must(err->reason != NULL &&
             (err->status == 400 || err->status == 414 || err->status == 417 ||
              err->status == 431 || err->status == 501 || err->status == 505));
    return n;
}

static int same_request(const struct http_request *a, const struct http_request *b)
{
    return a->method.p == b->method.p && a->target.p == b->target.p && a->minor == b->minor &&
           a->nheaders == b->nheaders && a->body == b->body &&
           a->content_length == b->content_length && a->keep_alive == b->keep_alive &&
           a->upgrade == b->upgrade && a->expect_continue == b->expect_continue;
}

/* A prefix (or the input cut right after the head) must agree with the whole input. */
static void check_prefix(const char *buf, size_t k, int whole, const struct http_error *werr,
                         const struct http_limits *lim)
{
    struct http_error e = {0, NULL};
    int r = parse(buf, k, lim, &req2, &e);
    if (whole > 0 && k >= (size_t)whole)
        must(r == whole && same_request(&req, &req2));
    else if (r != 0)
        must(whole == -1 && r == -1 && e.status == werr->status && e.reason == werr->reason);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy: any read past len is an ASan report. */
    char *buf = malloc(size ? size : 1);
    memcpy(buf, data, size);
    struct http_limits lim, tight = {256, 64, 8};
    struct http_error err = {0, NULL}, terr = {0, NULL};
    http_limits_default(&lim);

    int whole = parse(buf, size, &lim, &req, &err);
    size_t cuts[] = {size / 2, size ? size - 1 : 0, whole > 0 ? (size_t)whole - 1 : 0,
                     whole > 0 ? (size_t)whole : 0, size ? data[0] * size / 256 : 0};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        check_prefix(buf, cuts[i], whole, &err, &lim);

    int t = parse(buf, size, &tight, &req2, &terr);
    if (t > 0)
        must(t == whole && same_request(&req, &req2));
    free(buf);
    return 0;
}

/* http — strict HTTP/1.1 head parser (see http.h for the contract).
 *
 * The head parsers work line by line from the start of buf on every call. Each line is checked as
 * soon as its CRLF has arrived, and a line scan never looks past the offset where a limit would be
 * crossed. An error found in a prefix of the input is therefore the error the whole input gives,
 * and a caller can stop reading as soon as the answer is not 0.
 */
#include "http/http.h"

#include <limits.h>
#include <string.h>

#define LEADING_EMPTY_MAX 4 /* empty lines tolerated before a request line */

static int fail(struct http_error *err, int status, const char *reason)
{
    err->status = status;
    err->reason = reason;
    return -1;
}

/* ---- character classes and small helpers ---------------------------------------------------- */

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* RFC 9110 §5.6.2 tchar: ALPHA, DIGIT and !#$%&'*+-.^_`|~, as a bitmap (the hottest test of
 * the parser: every byte of every header name). */
static const uint64_t tchar_bits[2] = {0x03ff6cfa00000000ULL, 0x57ffffffc7fffffeULL};

static bool is_tchar(unsigned char c)
{
    return c < 128 && (tchar_bits[c >> 6] >> (c & 63) & 1);
}

static bool is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* v against the first v.len bytes of p, ignoring ASCII case. */
static bool bytes_ieq(struct http_view v, const char *p)
{
    for (size_t i = 0; i < v.len; i++)
        if (lower((unsigned char)v.p[i]) != lower((unsigned char)p[i]))
            return false;
    return true;
}

static bool view_ieq(struct http_view v, const char *s)
{
    return v.len == strlen(s) && bytes_ieq(v, s);
}

/* The parser's own comparisons, against lower-case literals: the length test comes first (most
 * comparisons fail there) and is a constant. */
#define VIEW_IS(v, lit) ((v).len == sizeof(lit) - 1 && ieq_lower((v).p, lit, sizeof(lit) - 1))

static bool ieq_lower(const char *p, const char *lc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)p[i]) != (unsigned char)lc[i])
            return false;
    return true;
}

static bool view_eq(struct http_view a, struct http_view b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

static struct http_view trim_ows(const char *p, size_t n)
{
    while (n > 0 && is_ows((unsigned char)p[0])) {
        p++;
        n--;
    }
    while (n > 0 && is_ows((unsigned char)p[n - 1]))
        n--;
    return (struct http_view){p, n};
}

static bool all_tchars(struct http_view v)
{
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++)
        if (!is_tchar((unsigned char)v.p[i]))
            return false;
    return true;
}

/* Calls fn on each trimmed element of a comma-separated list (empty elements skipped, as RFC 9110
 * §5.6.1 asks); stops early and returns false as soon as fn does. */
static bool each_element(struct http_view list, bool (*fn)(struct http_view, void *), void *arg)
{
    size_t i = 0;
    while (i <= list.len) {
        size_t j = i;
        while (j < list.len && list.p[j] != ',')
            j++;
        struct http_view e = trim_ows(list.p + i, j - i);
        if (e.len > 0 && !fn(e, arg))
            return false;
        i = j + 1;
    }
    return true;
}

static bool element_differs(struct http_view e, void *token)
{
    const struct http_view *t = token;
    return e.len != t->len || !bytes_ieq(e, t->p);
}

bool http_list_has(struct http_view list, struct http_view token)
{
    return !each_element(list, element_differs, &token);
}

bool http_has_token(struct http_view value, const char *token)
{
    return http_list_has(value, (struct http_view){token, strlen(token)});
}

const struct http_header *http_find_header(const struct http_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (view_ieq(h[i].name, name))
            return &h[i];
    return NULL;
}

bool http_is_hop_by_hop(struct http_view name)
{
    /* This runs for every header of every request and response: the length picks the one or two
     * names to compare, and most headers have none. */
    switch (name.len) {
    case 2:
        return VIEW_IS(name, "te");
    case 7:
        if (VIEW_IS(name, "trailer") || VIEW_IS(name, "upgrade"))
            return true;
        break;
    case 10:
        if (VIEW_IS(name, "connection") || VIEW_IS(name, "keep-alive"))
            return true;
        break;
    case 17:
        if (VIEW_IS(name, "transfer-encoding"))
            return true;
        break;
    default:
        break;
    }
    /* Proxy-Authorization, Proxy-Connection and the like all concern this hop only. */
    return name.len > 6 && ieq_lower(name.p, "proxy-", 6);
}

bool http_name_eq(struct http_view name, const char *lc, size_t n)
{
    return name.len == n && ieq_lower(name.p, lc, n);
}

void http_limits_default(struct http_limits *lim)
{
    lim->max_head_bytes = 65536;
    lim->max_line_bytes = 8192;
    lim->max_headers = 100;
}

/* Content-Length = 1*DIGIT; leading zeros are fine (Go accepts them), signs and spaces are not. */
static bool parse_content_length(struct http_view v, uint64_t *out)
{
    uint64_t x = 0;
    if (v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (!is_digit(c) || x > (HTTP_MAX_CONTENT_LENGTH - (c - '0')) / 10)
            return false;
        x = x * 10 + (c - '0');
    }
    *out = x;
    return true;
}

/* ---- line layer shared by requests and responses -------------------------------------------- */

/* How a head type reports its errors: requests answer the client, responses become 502. */
struct dialect {
    int bad;              /* malformed syntax */
    int big;              /* head or header count over the limit */
    const char *big_head; /* reason for a head over max_head_bytes */
    const char *big_count;
};

static const struct dialect req_dialect = {400, 431, "request head too large",
                                           "too many header fields"};
static const struct dialect resp_dialect = {502, 502, "response head too large",
                                            "too many response header fields"};

struct cursor {
    const char *buf;
    size_t len;
    size_t pos;      /* start of the next line */
    size_t head_cap; /* the head may not extend beyond this offset */
    const struct dialect *d;
    struct http_error *err;
};

/* Finds the line starting at c->pos, looking at bytes below cap only. Returns 1 with the content in
 * *line (c->pos moves past its CRLF), 0 when more bytes are needed, -1 on error. Reaching cap is
 * the limit error given by status/reason. CR and LF must come as a CRLF pair: Go also ends lines
 * at a bare LF, so anything else could be read as different lines by the proxy and by dockerd. */
static int next_line(struct cursor *c, size_t cap, int status, const char *reason,
                     struct http_view *line)
{
    size_t end = c->len < cap ? c->len : cap;
    /* The first CR or LF decides; memchr finds both candidates faster than a byte loop. */
    const char *s = c->buf + c->pos;
    size_t n = end > c->pos ? end - c->pos : 0;
    const char *lf = memchr(s, '\n', n);
    const char *cr = memchr(s, '\r', lf ? (size_t)(lf - s) : n);
    if (cr && cr + 1 < s + n && cr[1] != '\n')
        return fail(c->err, c->d->bad, "bare CR in message head");
    if (lf && !cr)
        return fail(c->err, c->d->bad, "bare LF in message head");
    if (lf) { /* cr == lf - 1 */
        *line = (struct http_view){s, (size_t)(cr - s)};
        c->pos = (size_t)(lf - c->buf) + 1;
        return 1;
    }
    return end < cap ? 0 : fail(c->err, status, reason);
}

static int next_head_line(struct cursor *c, struct http_view *line)
{
    return next_line(c, c->head_cap, c->d->big, c->d->big_head, line);
}

/* field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). */
static int parse_field(struct cursor *c, struct http_view l, struct http_header *h)
{
    size_t i = 0;
    if (l.len > 0 && is_ows((unsigned char)l.p[0]))
        return fail(c->err, c->d->bad, "obsolete line folding in header");
    while (i < l.len && is_tchar((unsigned char)l.p[i]))
        i++;
    if (i == l.len)
        return fail(c->err, c->d->bad, "header line without colon");
    if (is_ows((unsigned char)l.p[i]))
        return fail(c->err, c->d->bad, "whitespace in or after header name");
    if (l.p[i] != ':')
        return fail(c->err, c->d->bad, "invalid character in header name");
    if (i == 0)
        return fail(c->err, c->d->bad, "empty header name");
    for (size_t j = i + 1; j < l.len; j++) {
        unsigned char v = (unsigned char)l.p[j];
        if ((v < 0x20 && v != '\t') || v == 0x7f)
            return fail(c->err, c->d->bad, "control character in header value");
    }
    h->name = (struct http_view){l.p, i};
    h->value = trim_ows(l.p + i + 1, l.len - i - 1);
    return 0;
}

/* Reads header lines up to the empty line. Returns 1 once the head is complete, 0 or -1. */
static int parse_fields(struct cursor *c, struct http_header *hdrs, size_t max, size_t *n)
{
    struct http_view l;
    int r;
    *n = 0;
    while ((r = next_head_line(c, &l)) == 1) {
        if (l.len == 0)
            return 1;
        if (*n == max)
            return fail(c->err, c->d->big, c->d->big_count);
        if (parse_field(c, l, &hdrs[*n]) < 0)
            return -1;
        (*n)++;
    }
    return r;
}

static size_t cap_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* The head length is returned as an int, hence the INT_MAX ceiling. */
static size_t head_cap(size_t max_head_bytes)
{
    return max_head_bytes > (size_t)INT_MAX ? (size_t)INT_MAX : max_head_bytes;
}

/* ---- request line ---------------------------------------------------------------------------- */

/* HTTP-version = "HTTP/" DIGIT "." DIGIT, and we speak 1.0 and 1.1 only. */
static int parse_request_version(struct http_view v, int *minor, struct http_error *err)
{
    if (v.len != 8 || memcmp(v.p, "HTTP/", 5) != 0 || !is_digit((unsigned char)v.p[5]) ||
        v.p[6] != '.' || !is_digit((unsigned char)v.p[7]))
        return fail(err, 400, "malformed HTTP version");
    if (v.p[5] == '2')
        return fail(err, 505, "HTTP/2 not supported");
    if (v.p[5] != '1' || (v.p[7] != '0' && v.p[7] != '1'))
        return fail(err, 505, "HTTP version not supported");
    *minor = v.p[7] - '0';
    return 0;
}

/* RFC 3986 scheme followed by ':' — this also covers authority-form ("host:port"). */
static bool has_scheme(struct http_view t)
{
    size_t i = 0;
    if (t.len == 0 || !is_alpha((unsigned char)t.p[0]))
        return false;
    while (i < t.len && (is_alpha((unsigned char)t.p[i]) || is_digit((unsigned char)t.p[i]) ||
                         t.p[i] == '+' || t.p[i] == '-' || t.p[i] == '.'))
        i++;
    return i < t.len && t.p[i] == ':';
}

/* Only origin-form (and "*" for OPTIONS) is accepted: absolute-form would make the proxy and
 * dockerd pick the path out of different bytes. Decoding the path is the canon module's job. */
static int check_target(struct http_view t, struct http_view method, struct http_error *err)
{
    for (size_t i = 0; i < t.len; i++) {
        unsigned char c = (unsigned char)t.p[i];
        if (c < 0x21 || c == 0x7f)
            return fail(err, 400, "control character in request target");
        if (c >= 0x80)
            return fail(err, 400, "non-ASCII byte in request target");
        if (c == '#')
            return fail(err, 400, "fragment in request target");
    }
    if (t.p[0] == '/')
        return 0;
    if (t.len == 1 && t.p[0] == '*') {
        static const struct http_view options = {"OPTIONS", 7};
        return view_eq(method, options) ? 0
                                        : fail(err, 400, "asterisk-form target only with OPTIONS");
    }
    if (has_scheme(t))
        return fail(err, 400, "absolute-form request target not accepted");
    return fail(err, 400, "request target not in origin-form");
}

/* request-line = method SP request-target SP HTTP-version, exactly one SP each. The version is
 * judged before the target so that the h2c preface "PRI * HTTP/2.0" gets the HTTP/2 answer. */
static int parse_request_line(struct http_view l, struct http_request *req, struct http_error *err)
{
    size_t i = 0, t;
    while (i < l.len && is_tchar((unsigned char)l.p[i]))
        i++;
    if (i == l.len)
        return fail(err, 400, "malformed request line");
    if (i == 0 || l.p[i] != ' ')
        return fail(err, 400, "malformed request method");
    t = ++i;
    while (i < l.len && l.p[i] != ' ')
        i++;
    if (i == t)
        return fail(err, 400, "malformed request line");
    if (i == l.len)
        return fail(err, 400, "HTTP/0.9 request not supported");
    req->method = (struct http_view){l.p, t - 1};
    req->target = (struct http_view){l.p + t, i - t};
    if (parse_request_version((struct http_view){l.p + i + 1, l.len - i - 1}, &req->minor, err))
        return -1;
    return check_target(req->target, req->method, err);
}

/* Skips up to LEADING_EMPTY_MAX empty lines (RFC 9112 §2.2), then parses the request line. */
static int request_line(struct cursor *c, const struct http_limits *lim, struct http_request *req)
{
    for (int empty = 0;; empty++) {
        size_t line_cap = cap_add(c->pos, cap_add(lim->max_line_bytes, 2));
        struct http_view l;
        int r;
        if (line_cap < c->head_cap)
            r = next_line(c, line_cap, 414, "request line too long", &l);
        else
            r = next_head_line(c, &l);
        if (r <= 0)
            return r;
        if (l.len > 0)
            return parse_request_line(l, req, c->err) < 0 ? -1 : 1;
        if (empty == LEADING_EMPTY_MAX)
            return fail(c->err, 400, "empty lines before request line");
    }
}

/* ---- request semantics ----------------------------------------------------------------------- */

struct req_fields {
    unsigned host, te, cl, upgrade;
    const struct http_header *te_h, *cl_h, *up_h;
    bool cl_differs, conn_close, conn_keep_alive, conn_upgrade, expect_other, expect_continue;
};

static void collect_request_fields(const struct http_request *req, struct req_fields *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < req->nheaders; i++) {
        const struct http_header *h = &req->headers[i];
        if (VIEW_IS(h->name, "host")) {
            f->host++;
        } else if (VIEW_IS(h->name, "content-length")) {
            /* Go dedups identical strings only, so "5" and "05" differ here as well. */
            f->cl_differs |= f->cl_h != NULL && !view_eq(f->cl_h->value, h->value);
            f->cl_h = f->cl_h ? f->cl_h : h;
            f->cl++;
        } else if (VIEW_IS(h->name, "transfer-encoding")) {
            f->te_h = f->te_h ? f->te_h : h;
            f->te++;
        } else if (VIEW_IS(h->name, "connection")) {
            f->conn_close |= http_has_token(h->value, "close");
            f->conn_keep_alive |= http_has_token(h->value, "keep-alive");
            f->conn_upgrade |= http_has_token(h->value, "upgrade");
        } else if (VIEW_IS(h->name, "upgrade")) {
            f->up_h = f->up_h ? f->up_h : h;
            f->upgrade++;
        } else if (VIEW_IS(h->name, "expect")) {
            bool cont = VIEW_IS(h->value, "100-continue");
            f->expect_continue |= cont;
            f->expect_other |= !cont;
        }
    }
}

static bool te_element_ok(struct http_view e, void *unused)
{
    return all_tchars(e);
}

/* Transfer-Encoding, which Go only honours as a single header reading "chunked":
 *  - several TE headers, TE with Content-Length, TE on HTTP/1.0 → 400 (framing the proxy and
 *    dockerd could read differently — a smuggling attempt, not a feature request);
 *  - a well-formed list of codings other than exactly "chunked" ("gzip", "identity",
 *    "chunked, chunked", "gzip, chunked") → 501, like Go;
 *  - anything not a list of tokens (parameters, quotes, empty value) → 400. */
static int request_te(const struct http_request *req, const struct req_fields *f,
                      struct http_error *err)
{
    if (f->te > 1)
        return fail(err, 400, "multiple Transfer-Encoding headers");
    if (f->cl > 0)
        return fail(err, 400, "both Transfer-Encoding and Content-Length");
    if (req->minor == 0)
        return fail(err, 400, "Transfer-Encoding in HTTP/1.0 request");
    if (VIEW_IS(f->te_h->value, "chunked"))
        return 0;
    if (f->te_h->value.len == 0 || !each_element(f->te_h->value, te_element_ok, NULL))
        return fail(err, 400, "malformed Transfer-Encoding");
    return fail(err, 501, "unsupported transfer coding");
}

static int request_framing(struct http_request *req, const struct req_fields *f,
                           struct http_error *err)
{
    if (f->te > 0) {
        if (request_te(req, f, err) < 0)
            return -1;
        req->body = HTTP_BODY_CHUNKED;
        return 0;
    }
    if (f->cl == 0)
        return 0;
    if (f->cl_differs)
        return fail(err, 400, "conflicting Content-Length headers");
    if (!parse_content_length(f->cl_h->value, &req->content_length))
        return fail(err, 400, "invalid Content-Length");
    req->body = HTTP_BODY_LENGTH;
    return 0;
}

/* Connection, Upgrade and Expect. An Upgrade or a 100-continue in an HTTP/1.0 request is ignored
 * (RFC 9110 §7.8, §10.1.1), so upgrade and expect_continue are only ever set on HTTP/1.1. */
static int request_connection(struct http_request *req, const struct req_fields *f,
                              struct http_error *err)
{
    if (f->upgrade > 1)
        return fail(err, 400, "duplicate Upgrade header");
    if (f->up_h && f->up_h->value.len == 0)
        return fail(err, 400, "empty Upgrade header");
    if (f->expect_other)
        return fail(err, 417, "unsupported expectation");
    req->keep_alive = !f->conn_close && (req->minor == 1 || f->conn_keep_alive);
    req->upgrade = req->minor == 1 && f->conn_upgrade && f->up_h != NULL;
    if (req->upgrade)
        req->upgrade_proto = f->up_h->value;
    req->expect_continue = req->minor == 1 && f->expect_continue;
    return 0;
}

static int request_semantics(struct http_request *req, struct http_error *err)
{
    struct req_fields f;
    collect_request_fields(req, &f);
    if (f.host > 1)
        return fail(err, 400, "duplicate Host header");
    if (f.host == 0 && req->minor == 1)
        return fail(err, 400, "missing Host header");
    if (request_framing(req, &f, err) < 0)
        return -1;
    return request_connection(req, &f, err);
}

static void request_reset(struct http_request *req)
{
    req->method = req->target = req->upgrade_proto = (struct http_view){NULL, 0};
    req->minor = 0;
    req->nheaders = 0;
    req->body = HTTP_BODY_NONE;
    req->content_length = 0;
    req->keep_alive = req->upgrade = req->expect_continue = false;
    req->head_len = 0;
}

int http_parse_request(const char *buf, size_t len, const struct http_limits *lim,
                       struct http_request *req, struct http_error *err)
{
    struct http_limits dflt;
    if (lim == NULL) {
        http_limits_default(&dflt);
        lim = &dflt;
    }
    struct cursor c = {buf, len, 0, head_cap(lim->max_head_bytes), &req_dialect, err};
    size_t max = lim->max_headers < HTTP_MAX_HEADERS_CAP ? lim->max_headers : HTTP_MAX_HEADERS_CAP;
    int r;
    request_reset(req);
    if ((r = request_line(&c, lim, req)) <= 0)
        return r;
    if ((r = parse_fields(&c, req->headers, max, &req->nheaders)) <= 0)
        return r;
    if (request_semantics(req, err) < 0)
        return -1;
    req->head_len = c.pos;
    return (int)c.pos;
}

/* ---- responses ------------------------------------------------------------------------------- */

/* status-line = "HTTP/1." DIGIT SP 3DIGIT SP reason-phrase; a missing SP before an empty reason is
 * tolerated. */
static int parse_status_line(struct http_view l, struct http_response *resp, struct http_error *err)
{
    const unsigned char *p = (const unsigned char *)l.p;
    if (l.len < 12 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ')
        return fail(err, 502, "malformed status line");
    if (!is_digit(p[9]) || !is_digit(p[10]) || !is_digit(p[11]) || p[9] == '0')
        return fail(err, 502, "malformed status code");
    if (l.len > 12 && p[12] != ' ')
        return fail(err, 502, "malformed status line");
    for (size_t i = 13; i < l.len; i++)
        if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
            return fail(err, 502, "control character in reason phrase");
    resp->minor = p[7] - '0';
    resp->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    resp->reason =
        l.len > 12 ? (struct http_view){l.p + 13, l.len - 13} : (struct http_view){l.p + 12, 0};
    return 0;
}

struct resp_fields {
    unsigned cl, te;
    const struct http_header *cl_h, *up_h;
    bool cl_differs, conn_close, conn_keep_alive;
    bool te_chunked_last, te_bad; /* over the combined list of all TE headers */
    bool te_seen_chunked;
};

/* Every coding must be a token; "chunked" takes no parameters and may be applied only once. A
 * coding after "chunked" is legal and makes the body close-delimited (RFC 9112 §6.3). */
static bool resp_te_element(struct http_view e, void *arg)
{
    struct resp_fields *f = arg;
    size_t n = 0;
    while (n < e.len && e.p[n] != ';')
        n++;
    struct http_view name = trim_ows(e.p, n);
    bool chunked = VIEW_IS(name, "chunked");
    f->te_bad |= !all_tchars(name) || (chunked && (f->te_seen_chunked || n != e.len));
    f->te_chunked_last = chunked;
    f->te_seen_chunked |= chunked;
    return true;
}

static void collect_response_fields(const struct http_response *resp, struct resp_fields *f)
{
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < resp->nheaders; i++) {
        const struct http_header *h = &resp->headers[i];
        if (VIEW_IS(h->name, "content-length")) {
            f->cl_differs |= f->cl_h != NULL && !view_eq(f->cl_h->value, h->value);
            f->cl_h = f->cl_h ? f->cl_h : h;
            f->cl++;
        } else if (VIEW_IS(h->name, "transfer-encoding")) {
            f->te++;
            each_element(h->value, resp_te_element, f);
        } else if (VIEW_IS(h->name, "connection")) {
            f->conn_close |= http_has_token(h->value, "close");
            f->conn_keep_alive |= http_has_token(h->value, "keep-alive");
        } else if (VIEW_IS(h->name, "upgrade")) {
            f->up_h = f->up_h ? f->up_h : h;
        }
    }
}

/* Framing faults we refuse to relay whatever the status (RFC 9112 §6.1, §6.3). */
static int response_checks(const struct http_response *resp, const struct resp_fields *f,
                           struct http_error *err)
{
    if (f->cl_differs)
        return fail(err, 502, "conflicting Content-Length in response");
    if (f->cl > 0 && !parse_content_length(f->cl_h->value, &(uint64_t){0}))
        return fail(err, 502, "invalid Content-Length in response");
    if (f->te == 0)
        return 0;
    if (f->cl > 0)
        return fail(err, 502, "both Transfer-Encoding and Content-Length in response");
    if (resp->minor == 0)
        return fail(err, 502, "Transfer-Encoding in HTTP/1.0 response");
    return f->te_bad ? fail(err, 502, "malformed Transfer-Encoding in response") : 0;
}

/* RFC 9112 §6.3, in order. */
static int response_framing(struct http_response *resp, bool is_head, const struct resp_fields *f,
                            struct http_error *err)
{
    resp->keep_alive = !f->conn_close && (resp->minor == 1 || f->conn_keep_alive);
    if (resp->status == 101) {
        if (f->up_h == NULL)
            return fail(err, 502, "101 response without Upgrade");
        resp->upgrade = true;
        resp->keep_alive = false; /* the connection now carries another protocol */
        return 0;
    }
    if (is_head || resp->status < 200 || resp->status == 204 || resp->status == 304)
        return 0;
    if (f->te > 0) {
        resp->body = f->te_chunked_last ? HTTP_BODY_CHUNKED : HTTP_BODY_CLOSE;
    } else if (f->cl > 0) {
        parse_content_length(f->cl_h->value, &resp->content_length);
        resp->body = HTTP_BODY_LENGTH;
    } else {
        resp->body = HTTP_BODY_CLOSE;
    }
    if (resp->body == HTTP_BODY_CLOSE)
        resp->keep_alive = false;
    return 0;
}

static void response_reset(struct http_response *resp)
{
    resp->status = resp->minor = 0;
    resp->reason = (struct http_view){NULL, 0};
    resp->nheaders = 0;
    resp->body = HTTP_BODY_NONE;
    resp->content_length = 0;
    resp->keep_alive = resp->upgrade = false;
    resp->head_len = 0;
}

int http_parse_response(const char *buf, size_t len, bool is_head, size_t max_head_bytes,
                        struct http_response *resp, struct http_error *err)
{
    struct cursor c = {buf, len, 0, head_cap(max_head_bytes), &resp_dialect, err};
    struct resp_fields f;
    struct http_view l;
    int r;
    response_reset(resp);
    if ((r = next_head_line(&c, &l)) <= 0)
        return r;
    if (parse_status_line(l, resp, err) < 0)
        return -1;
    if ((r = parse_fields(&c, resp->headers, HTTP_MAX_HEADERS_CAP, &resp->nheaders)) <= 0)
        return r;
    collect_response_fields(resp, &f);
    if (response_checks(resp, &f, err) < 0 || response_framing(resp, is_head, &f, err) < 0)
        return -1;
    resp->head_len = c.pos;
    return (int)c.pos;
}
/* ---- shared byte classes --------------------------------------------------------------------- */

bool http_is_tchar(unsigned char c)
{
    return is_tchar(c);
}

int http_hex_digit(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

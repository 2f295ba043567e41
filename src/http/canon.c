/* canon — request-target canonicaliser (see canon.h for the contract).
 *
 * Decisions that are ours rather than dockerd's:
 *  - Decoded bytes >= 0x80 (e.g. "%C3%A9") and decoded specials such as ' ', '#', '?' are kept:
 *    dockerd routes them as plain path characters, they cannot change which section a path is in,
 *    and canon_format_target() re-encodes them, so the judged path and the forwarded path agree.
 *  - A trailing '/' is refused except for "/" alone and the two paths dockerd registers with one
 *    (moby's routers, 20.10 and today): "/networks/" (GET: an alias of the network list; DELETE
 *    reaches network delete with an empty id) and "/debug/pprof/" (which the policy refuses).
 *    dockerd answers 404 to every other trailing slash. They are kept, and forwarded, as given.
 *  - A version prefix longer than sizeof(version)-1 is refused; dockerd would answer 400 anyway.
 */
#include "http/canon.h"
#include "base/util.h"

#include <string.h>

#include "http/http.h"

/* Raw target bytes: visible ASCII only, and no '#' (a fragment has no meaning in a request). */
static const char *check_raw(const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)t[i];
        if (ch < 0x21 || ch > 0x7e)
            return "invalid byte in request target";
        if (ch == '#')
            return "'#' in request target";
    }
    return NULL;
}

/* Decodes %HH once into out->path; refuses what would make the decoded path ambiguous. */
static const char *decode_path(const char *p, size_t len, struct canon *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch == '%') {
            int hi = i + 2 < len ? http_hex_digit((unsigned char)p[i + 1]) : -1;
            int lo = hi >= 0 ? http_hex_digit((unsigned char)p[i + 2]) : -1;
            if (lo < 0)
                return "malformed percent-escape in path";
            ch = (unsigned char)(hi << 4 | lo);
            i += 2;
            if (ch == '/')
                return "encoded slash in path";
            if (ch == 0)
                return "encoded NUL in path";
            if (ch < 0x20 || ch == 0x7f)
                return "encoded control character in path";
        }
        if (n + 1 >= sizeof(out->path))
            return "path too long";
        out->path[n++] = (char)ch;
    }
    out->path[n] = '\0';
    out->path_len = n;
    return NULL;
}

/* Length of a "/v<[0-9.]+>" prefix followed by '/', or 0. */
static size_t version_prefix(const char *p, size_t len)
{
    if (len < 4 || p[0] != '/' || p[1] != 'v')
        return 0;
    size_t i = 2;
    while (i < len && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
        i++;
    return i == 2 || i >= len || p[i] != '/' ? 0 : i;
}

/* The paths dockerd routes with their trailing slash, with or without a version prefix. */
static bool slash_routed(const char *p, size_t len)
{
    static const char *const routed[] = {"/networks/", "/debug/pprof/"};
    size_t v = version_prefix(p, len);
    for (size_t i = 0; i < NELEM(routed); i++)
        if (len - v == strlen(routed[i]) && memcmp(p + v, routed[i], len - v) == 0)
            return true;
    return false;
}

/* The decoded path must be what path.Clean would leave alone, minus trailing slashes. */
static const char *check_segments(const char *p, size_t len)
{
    if (len == 1)
        return NULL; /* "/" */
    size_t start = 1;
    for (size_t i = 1; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        size_t seg = i - start;
        if (seg == 0 && i == len && slash_routed(p, len))
            return NULL;
        if (seg == 0)
            return i == len ? "trailing slash in path" : "empty path segment";
        if ((seg == 1 && p[start] == '.') || (seg == 2 && p[start] == '.' && p[start + 1] == '.'))
            return "dot-segment in path";
        start = i + 1;
    }
    return NULL;
}

/* "/v<[0-9.]+>/rest" → version and "/rest", once. "/v1.41" alone keeps no version. */
static const char *split_version(struct canon *out)
{
    const char *p = out->path;
    size_t i = version_prefix(p, out->path_len);
    if (i == 0)
        return NULL;
    size_t vlen = i - 2;
    if (vlen >= sizeof(out->version))
        return "API version prefix too long";
    memcpy(out->version, p + 2, vlen);
    out->version[vlen] = '\0';
    out->version_len = vlen;
    memmove(out->path, p + i, out->path_len - i + 1);
    out->path_len -= i;
    return NULL;
}

int canon_target(const char *target, size_t len, struct canon *out, const char **reason)
{
    const char *why = NULL;
    out->path[0] = '\0';
    out->path_len = 0;
    out->version[0] = '\0';
    out->version_len = 0;
    out->query = NULL;
    out->query_len = 0;

    if (len == 0 || target[0] != '/')
        why = "request target does not start with '/'";
    if (!why)
        why = check_raw(target, len);
    if (!why) {
        const char *q = memchr(target, '?', len);
        size_t plen = q ? (size_t)(q - target) : len;
        if (q) {
            out->query = q + 1;
            out->query_len = len - plen - 1;
        }
        why = decode_path(target, plen, out);
    }
    if (!why)
        why = check_segments(out->path, out->path_len);
    if (!why)
        why = split_version(out);
    if (why) {
        *reason = why;
        out->query = NULL;
        out->query_len = 0;
        return -1;
    }
    return 0;
}

/* RFC 3986 pchar minus pct-encoded, plus '/': unreserved, sub-delims, ':' and '@'. */
static int path_char_plain(unsigned char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return 1;
    switch (ch) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '@':
    case '/':
        return 1;
    default:
        return 0;
    }
}

struct out_buf {
    char *p;
    size_t cap;
    size_t n;
    int overflow;
};

static void put(struct out_buf *b, const char *s, size_t len)
{
    if (b->overflow || len >= b->cap - b->n) {
        b->overflow = 1;
        return;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
}

static void put_path(struct out_buf *b, const char *p, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (path_char_plain(ch)) {
            put(b, &p[i], 1);
        } else {
            char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            put(b, esc, 3);
        }
    }
}

int canon_format_target(const struct canon *c, char *buf, size_t cap)
{
    struct out_buf b = {buf, cap, 0, cap == 0};
    if (c->version_len) {
        put(&b, "/v", 2);
        put(&b, c->version, c->version_len);
    }
    put_path(&b, c->path, c->path_len);
    if (c->query) {
        put(&b, "?", 1);
        put(&b, c->query, c->query_len);
    }
    if (b.overflow || b.n > (size_t)0x7fffffff)
        return -1;
    buf[b.n] = '\0';
    return (int)b.n;
}

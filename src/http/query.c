/* query — Go's net/url.ParseQuery, mirrored (see query.h for the contract). */
#include "http/query.h"

#include <string.h>

static const char *const reason_semicolon = "invalid semicolon separator in query";
static const char *const reason_escape = "invalid URL escape in query";

/* One '&'-separated piece starting at pos: its end, and where the next one starts. */
static size_t piece_end(const char *q, size_t len, size_t pos)
{
    const char *amp = memchr(q + pos, '&', len - pos);
    return amp ? (size_t)(amp - q) : len;
}

static bool escapes_ok(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '%')
            continue;
        if (i + 2 >= len || http_hex_digit((unsigned char)p[i + 1]) < 0 ||
            http_hex_digit((unsigned char)p[i + 2]) < 0)
            return false;
        i += 2;
    }
    return true;
}

/* Go's verdict on one piece: QUERY_OK (kept), or the error that drops it. */
static enum query_status piece_status(const char *p, size_t len)
{
    if (memchr(p, ';', len))
        return QUERY_SEMICOLON;
    return escapes_ok(p, len) ? QUERY_OK : QUERY_BAD_ESCAPE;
}

enum query_status query_scan(const char *q, size_t len, const char **reason)
{
    for (size_t pos = 0; pos < len;) {
        size_t end = piece_end(q, len, pos);
        enum query_status st = piece_status(q + pos, end - pos);
        if (st != QUERY_OK) {
            *reason = st == QUERY_SEMICOLON ? reason_semicolon : reason_escape;
            return st;
        }
        pos = end + 1;
    }
    return QUERY_OK;
}

void query_iter_init(struct query_iter *it, const char *q, size_t len)
{
    it->p = q;
    it->len = q ? len : 0;
    it->pos = 0;
}

bool query_next(struct query_iter *it, struct query_pair *out)
{
    while (it->pos < it->len) {
        size_t start = it->pos, end = piece_end(it->p, it->len, start);
        it->pos = end + 1;
        const char *p = it->p + start;
        size_t n = end - start;
        if (n == 0 || piece_status(p, n) != QUERY_OK)
            continue;
        const char *eq = memchr(p, '=', n);
        size_t klen = eq ? (size_t)(eq - p) : n;
        out->key = (struct http_view){p, klen};
        out->value = eq ? (struct http_view){eq + 1, n - klen - 1} : (struct http_view){p + n, 0};
        return true;
    }
    return false;
}

int query_unescape(struct http_view raw, char *out, size_t cap, const char **reason)
{
    size_t n = 0;
    for (size_t i = 0; i < raw.len; i++) {
        unsigned char ch = (unsigned char)raw.p[i];
        if (ch == '%') {
            int hi = i + 2 < raw.len ? http_hex_digit((unsigned char)raw.p[i + 1]) : -1;
            int lo = hi >= 0 ? http_hex_digit((unsigned char)raw.p[i + 2]) : -1;
            if (lo < 0) {
                *reason = reason_escape;
                return -1;
            }
            ch = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else if (ch == '+') {
            ch = ' ';
        }
        if (n == cap || n > 0x7ffffffe) {
            *reason = "decoded query component too long";
            return -1;
        }
        out[n++] = (char)ch;
    }
    return (int)n;
}

/* Compares the decoded form of raw with key without decoding into a buffer. */
static bool decoded_equals(struct http_view raw, const char *key, size_t key_len)
{
    size_t k = 0;
    for (size_t i = 0; i < raw.len; i++, k++) {
        unsigned char ch = (unsigned char)raw.p[i];
        if (ch == '%') {
            ch = (unsigned char)(http_hex_digit((unsigned char)raw.p[i + 1]) << 4 |
                                 http_hex_digit((unsigned char)raw.p[i + 2]));
            i += 2;
        } else if (ch == '+') {
            ch = ' ';
        }
        if (k == key_len || (unsigned char)key[k] != ch)
            return false;
    }
    return k == key_len;
}

int query_get(const char *q, size_t len, const char *key, size_t key_len, char *out, size_t cap,
              size_t *out_len, size_t *count)
{
    struct query_iter it;
    struct query_pair pr;
    size_t found = 0;
    int rc = 0;
    query_iter_init(&it, q, len);
    while (query_next(&it, &pr)) {
        if (!decoded_equals(pr.key, key, key_len))
            continue;
        if (found++ == 0) {
            const char *why;
            int n = query_unescape(pr.value, out, cap, &why);
            rc = n < 0 ? -1 : 1;
            *out_len = n < 0 ? 0 : (size_t)n;
        }
        if (!count)
            break;
    }
    if (count)
        *count = found;
    return rc;
}

int query_escape(const char *s, size_t len, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '~';
        size_t need = plain || ch == ' ' ? 1 : 3;
        if (cap - n < need || n > 0x7ffffff0)
            return -1;
        if (plain)
            out[n++] = (char)ch;
        else if (ch == ' ')
            out[n++] = '+';
        else {
            out[n++] = '%';
            out[n++] = hex[ch >> 4];
            out[n++] = hex[ch & 15];
        }
    }
    return (int)n;
}

/* query: Go's net/url.ParseQuery, row by row (what dockerd's r.Form holds for each raw query),
 * then url.Values.Get, escaping and the decode-of-encode round trip. */
#include <stdlib.h>

#include "check.h"
#include "http/query.h"

struct row {
    const char *raw;
    enum query_status status; /* Go's error (the first one), or QUERY_OK */
    const char *pairs;        /* the pairs Go keeps, decoded, as "k=v|k=v|"; NUL bytes as \x00 */
};

/* Each row is what Go 1.17+ returns: url.ParseQuery(raw) → (values, err). */
static const struct row rows[] = {
    {"", QUERY_OK, ""},
    {"a=1", QUERY_OK, "a=1|"},
    {"a=1&b=2", QUERY_OK, "a=1|b=2|"},
    {"a=1&a=2", QUERY_OK, "a=1|a=2|"},
    {"a", QUERY_OK, "a=|"},
    {"a=", QUERY_OK, "a=|"},
    {"=1", QUERY_OK, "=1|"},
    {"=", QUERY_OK, "=|"},
    {"&&a=1&", QUERY_OK, "a=1|"},
    {"&", QUERY_OK, ""},
    {"a==b", QUERY_OK, "a==b|"},
    {"a=1&a", QUERY_OK, "a=1|a=|"},
    {"a+b=c+d", QUERY_OK, "a b=c d|"},
    {"a=%2B", QUERY_OK, "a=+|"},
    {"a=%41%62", QUERY_OK, "a=Ab|"},
    {"%41=1", QUERY_OK, "A=1|"},
    {"a=%e9", QUERY_OK, "a=\xe9|"},
    {"a=%26b%3Dc", QUERY_OK, "a=&b=c|"},
    {"a=%3B", QUERY_OK, "a=;|"},
    {"filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D", QUERY_OK, "filters={\"label\":[\"a=b\"]}|"},
    {"a=?b/c", QUERY_OK, "a=?b/c|"},
    {"a=1;b=2", QUERY_SEMICOLON, ""},
    {";", QUERY_SEMICOLON, ""},
    {"a=1&b=2;c=3&d=4", QUERY_SEMICOLON, "a=1|d=4|"},
    {"a=%zz&b=1", QUERY_BAD_ESCAPE, "b=1|"},
    {"a=%", QUERY_BAD_ESCAPE, ""},
    {"a=%4", QUERY_BAD_ESCAPE, ""},
    {"a=b%2", QUERY_BAD_ESCAPE, ""},
    {"%=1", QUERY_BAD_ESCAPE, ""},
    {"a%=1", QUERY_BAD_ESCAPE, ""},
    {"a=%g0&b=%0g&c=3", QUERY_BAD_ESCAPE, "c=3|"},
    {"a=%zz;&b=1", QUERY_SEMICOLON, "b=1|"}, /* the semicolon is found first in that piece */
    {"a=%zz&b=1;2", QUERY_BAD_ESCAPE, ""},   /* the first error in order is the escape */
};

static void put(char *buf, size_t cap, size_t *n, const char *s, size_t len)
{
    for (size_t i = 0; i < len && *n + 5 < cap; i++)
        (*n) += s[i] ? (buf[*n] = s[i], 1) : (size_t)snprintf(buf + *n, cap - *n, "\\x00");
    buf[*n] = '\0';
}

static void run_row(const struct row *r)
{
    const char *reason = "unset";
    enum query_status st = query_scan(r->raw, strlen(r->raw), &reason);
    CHECK_INT(st, r->status, r->raw);
    if (st == QUERY_SEMICOLON)
        CHECK(strcmp(reason, "invalid semicolon separator in query") == 0, "%s: %s", r->raw,
              reason);
    if (st == QUERY_BAD_ESCAPE)
        CHECK(strcmp(reason, "invalid URL escape in query") == 0, "%s: %s", r->raw, reason);

    char got[512] = "";
    size_t n = 0;
    struct query_iter it;
    struct query_pair pr;
    query_iter_init(&it, r->raw, strlen(r->raw));
    while (query_next(&it, &pr)) {
        char k[256], v[256];
        const char *why;
        int kl = query_unescape(pr.key, k, sizeof(k), &why);
        int vl = query_unescape(pr.value, v, sizeof(v), &why);
        CHECK(kl >= 0 && vl >= 0, "%s: kept pair does not decode", r->raw);
        if (kl < 0 || vl < 0)
            continue;
        put(got, sizeof(got), &n, k, (size_t)kl);
        put(got, sizeof(got), &n, "=", 1);
        put(got, sizeof(got), &n, v, (size_t)vl);
        put(got, sizeof(got), &n, "|", 1);
    }
    CHECK(strcmp(got, r->pairs) == 0, "'%s': got '%s' want '%s'", r->raw, got, r->pairs);
}

/* url.Values.Get: the first value; the count shows repeats. */
static void test_get(void)
{
    const char *q = "a=1&b=x+y&a=2&%61=3&c&d=%zz&e=%41";
    char out[64];
    size_t len = 0, count = 0;
    CHECK_INT(query_get(q, strlen(q), "a", 1, out, sizeof(out), &len, &count), 1, "a");
    CHECK_STR(out, len, "1", "a first");
    CHECK_INT(count, 3, "a count (a, a, %61)");
    CHECK_INT(query_get(q, strlen(q), "b", 1, out, sizeof(out), &len, &count), 1, "b");
    CHECK_STR(out, len, "x y", "b");
    CHECK_INT(count, 1, "b count");
    CHECK_INT(query_get(q, strlen(q), "c", 1, out, sizeof(out), &len, &count), 1, "c");
    CHECK_INT(len, 0, "c empty");
    CHECK_INT(query_get(q, strlen(q), "d", 1, out, sizeof(out), &len, &count), 0, "d dropped");
    CHECK_INT(count, 0, "d count");
    CHECK_INT(query_get(q, strlen(q), "z", 1, out, sizeof(out), &len, NULL), 0, "absent");
    CHECK_INT(query_get(q, strlen(q), "e", 1, out, 0, &len, NULL), -1, "too small");
    CHECK_INT(query_get(NULL, 0, "a", 1, out, sizeof(out), &len, &count), 0, "no query");
}

static void test_escape(void)
{
    char out[64];
    int n = query_escape("a b+c&d=é~", strlen("a b+c&d=é~"), out, sizeof(out));
    CHECK_STR(out, (size_t)n, "a+b%2Bc%26d%3D%C3%A9~", "escape");
    CHECK_INT(query_escape("&&", 2, out, 5), -1, "capacity");
    CHECK_INT(query_escape("&&", 2, out, 6), 6, "exact capacity");
    const char *why = NULL;
    CHECK_INT(query_unescape((struct http_view){"%41%42", 6}, out, 1, &why), -1, "unescape cap");
    CHECK(why && strcmp(why, "decoded query component too long") == 0, "cap reason");
}

/* Every byte string survives escape then unescape, and an escaped pair always parses clean. */
static void test_round_trip(void)
{
    srand(7);
    for (int t = 0; t < 2000; t++) {
        char s[32], e[3 * 32], d[32], q[3 * 64 + 2];
        size_t len = (size_t)(rand() % 32);
        for (size_t i = 0; i < len; i++)
            s[i] = (char)(rand() % 256);
        int en = query_escape(s, len, e, sizeof(e));
        CHECK(en >= 0, "escape %d", t);
        const char *why;
        int dn = query_unescape((struct http_view){e, (size_t)en}, d, sizeof(d), &why);
        CHECK(dn == (int)len && memcmp(s, d, len) == 0, "round trip %d", t);
        int qn = snprintf(q, sizeof(q), "k=%.*s", en, e);
        CHECK_INT(query_scan(q, (size_t)qn, &why), QUERY_OK, "escaped scans clean");
        size_t vl = 0, cnt = 0;
        CHECK_INT(query_get(q, (size_t)qn, "k", 1, d, sizeof(d), &vl, &cnt), 1, "get");
        CHECK(vl == len && memcmp(s, d, len) == 0 && cnt == 1, "get round trip %d", t);
    }
}

int main(void)
{
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        run_row(&rows[i]);
    test_get();
    test_escape();
    test_round_trip();
    return TEST_SUMMARY("query");
}

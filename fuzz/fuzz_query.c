/* fuzz_query: the input is a raw query string. Checks that query_scan() and query_next() agree
 * (a query scans clean exactly when no piece is dropped), that every kept pair decodes, that the
 * decoded form is never longer than the raw one, that escaping each decoded pair and joining them
 * gives a query that scans clean and yields the same pairs (decode of encode round-trips), and
 * that query_get() returns the first value of each key and counts its values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/query.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define MAX_IN 2048

/* The number of non-empty '&' pieces: pairs kept plus pieces dropped for an error. */
static size_t pieces(const char *q, size_t len)
{
    size_t n = 0;
    for (size_t s = 0; s < len;) {
        const char *amp = memchr(q + s, '&', len - s);
        size_t e = amp ? (size_t)(amp - q) : len;
        n += e > s;
        s = e + 1;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char k[MAX_IN], v[MAX_IN], enc[3 * 2 * MAX_IN + MAX_IN], k2[MAX_IN], v2[MAX_IN];
    if (size > MAX_IN)
        return 0;
    const char *q = (const char *)data;
    const char *why = NULL;
    enum query_status st = query_scan(q, size, &why);
    REQUIRE(st == QUERY_OK || (why != NULL && why[0]));

    struct query_iter it, it2;
    struct query_pair pr, pr2;
    size_t kept = 0, en = 0;
    query_iter_init(&it, q, size);
    while (query_next(&it, &pr)) {
        kept++;
        REQUIRE(pr.key.p >= q && pr.value.p + pr.value.len <= q + size);
        int kl = query_unescape(pr.key, k, pr.key.len, &why);
        int vl = query_unescape(pr.value, v, pr.value.len, &why);
        REQUIRE(kl >= 0 && vl >= 0 && (size_t)kl <= pr.key.len && (size_t)vl <= pr.value.len);
        REQUIRE(memchr(pr.key.p, ';', pr.key.len) == NULL);
        /* Re-encode "k=v&" and check it decodes to the same pair. */
        int a = query_escape(k, (size_t)kl, enc + en, sizeof(enc) - en);
        REQUIRE(a >= 0);
        size_t start = en;
        en += (size_t)a;
        enc[en++] = '=';
        int b = query_escape(v, (size_t)vl, enc + en, sizeof(enc) - en);
        REQUIRE(b >= 0);
        en += (size_t)b;
        query_iter_init(&it2, enc + start, en - start);
        REQUIRE(query_next(&it2, &pr2));
        int kl2 = query_unescape(pr2.key, k2, sizeof(k2), &why);
        int vl2 = query_unescape(pr2.value, v2, sizeof(v2), &why);
        REQUIRE(kl2 == kl && vl2 == vl && memcmp(k, k2, (size_t)kl) == 0 &&
                memcmp(v, v2, (size_t)vl) == 0);
        enc[en++] = '&';

        /* query_get finds a first value for this key, and it is at most as many as kept. */
        size_t gl = 0, count = 0;
        int g = query_get(q, size, k, (size_t)kl, v2, sizeof(v2), &gl, &count);
        REQUIRE(g == 1 && count >= 1 && count <= pieces(q, size));
    }
    REQUIRE((st == QUERY_OK) == (kept == pieces(q, size)));
    REQUIRE(query_scan(enc, en, &why) == QUERY_OK);
    return 0;
}

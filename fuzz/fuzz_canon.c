/* fuzz_canon: the input is a request target. Whatever canon_target() accepts must be clean
 * (no empty or dot segments, no NUL, no trailing '/' except on "/networks/" and "/debug/pprof/",
 * the two paths dockerd routes with one), and must survive re-serialisation:
 * canon_target(canon_format_target(x)) gives the same canon, and formatting is idempotent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/canon.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static void check_clean(const struct canon *c)
{
    const char *p = c->path;
    size_t n = c->path_len;
    REQUIRE(n > 0 && n < CANON_PATH_MAX && p[0] == '/' && p[n] == '\0');
    REQUIRE(memchr(p, '\0', n) == NULL);
    if (n > 1 && p[n - 1] == '/') {
        REQUIRE(strcmp(p, "/networks/") == 0 || strcmp(p, "/debug/pprof/") == 0);
        n--; /* the segments before it obey the rules below */
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        REQUIRE(ch >= 0x20 && ch != 0x7f);
    }
    /* Every segment between slashes is non-empty and not "." or "..". */
    for (size_t s = 1; n > 1 && s <= n;) {
        const char *e = memchr(p + s, '/', n - s);
        size_t len = e ? (size_t)(e - (p + s)) : n - s;
        REQUIRE(len > 0);
        REQUIRE(!(len == 1 && p[s] == '.'));
        REQUIRE(!(len == 2 && p[s] == '.' && p[s + 1] == '.'));
        s += len + 1;
    }
    REQUIRE(strstr(p, "//") == NULL && strstr(p, "/./") == NULL && strstr(p, "/../") == NULL);
    REQUIRE(c->version_len == strlen(c->version) && c->version_len < sizeof(c->version));
    for (size_t i = 0; i < c->version_len; i++)
        REQUIRE((c->version[i] >= '0' && c->version[i] <= '9') || c->version[i] == '.');
    for (size_t i = 0; c->query && i < c->query_len; i++)
        REQUIRE(c->query[i] > 0x20 && c->query[i] < 0x7f && c->query[i] != '#');
}

static bool same(const struct canon *a, const struct canon *b)
{
    return a->path_len == b->path_len && memcmp(a->path, b->path, a->path_len) == 0 &&
           strcmp(a->version, b->version) == 0 && (a->query == NULL) == (b->query == NULL) &&
           a->query_len == b->query_len &&
           (a->query == NULL || memcmp(a->query, b->query, a->query_len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct canon c, c2;
    const char *reason = NULL;
    if (canon_target((const char *)data, size, &c, &reason) != 0) {
        REQUIRE(reason != NULL && reason[0] != '\0');
        return 0;
    }
    check_clean(&c);
    /* The query points into the input. */
    REQUIRE(c.query == NULL || (c.query > (const char *)data &&
                                c.query + c.query_len == (const char *)data + size));

    size_t cap = 3 * CANON_PATH_MAX + sizeof(c.version) + size + 8;
    char *buf = malloc(cap), *buf2 = malloc(cap);
    REQUIRE(buf && buf2);
    int n = canon_format_target(&c, buf, cap);
    REQUIRE(n > 0 && (size_t)n < cap && buf[n] == '\0');
    REQUIRE(memchr(buf, '#', (size_t)n) == NULL);
    REQUIRE(canon_target(buf, (size_t)n, &c2, &reason) == 0);
    REQUIRE(same(&c, &c2));
    int n2 = canon_format_target(&c2, buf2, cap);
    REQUIRE(n2 == n && memcmp(buf, buf2, (size_t)n) == 0);
    /* Too small a buffer fails cleanly. */
    REQUIRE(canon_format_target(&c, buf2, (size_t)n) == -1);
    free(buf);
    free(buf2);
    return 0;
}

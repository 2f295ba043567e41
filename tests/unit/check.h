/* Minimal table-friendly test helpers. Each test binary ends with TEST_SUMMARY(), which prints
 * "<name>: N passed, N failed" and returns non-zero on any failure. */
#ifndef SW_TEST_CHECK_H
#define SW_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            t_pass++;                                                                              \
        } else {                                                                                   \
            t_fail++;                                                                              \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b, ctx)                                                                       \
    CHECK((long long)(a) == (long long)(b), "%s: got %lld want %lld", (ctx), (long long)(a),      \
          (long long)(b))

#define CHECK_STR(a, alen, b, ctx)                                                                 \
    CHECK((alen) == strlen(b) && memcmp((a), (b), (alen)) == 0, "%s: got '%.*s' want '%s'", (ctx), \
          (int)(alen), (a), (b))

#define TEST_SUMMARY(name)                                                                         \
    (printf("%s: %d passed, %d failed\n", (name), t_pass, t_fail), t_fail ? 1 : 0)

#endif

/* Checks shared by the HTTP fuzz harnesses. Header-only: each harness is a single translation unit.
 */
#ifndef SW_HTTP_FUZZ_H
#define SW_HTTP_FUZZ_H

#include "http/http.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant is a crash, so libFuzzer keeps the input. */
static inline void must(int cond)
{
    if (!cond)
        abort();
}

static inline int view_inside(struct http_view v, const char *buf, size_t len)
{
    return v.p >= buf && v.len <= len && v.p - buf <= (ptrdiff_t)(len - v.len);
}

/* The chunked harnesses' references read hex digits with this, not with the code under test. */
static inline int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* An accepted head: CR and LF only ever come as CRLF, and it ends with an empty line. */
static inline void must_be_crlf_head(const char *buf, size_t n)
{
    must(n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0);
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\r')
            must(i + 1 < n && buf[i + 1] == '\n');
        if (buf[i] == '\n')
            must(i > 0 && buf[i - 1] == '\r');
    }
}

#endif

/* Unit tests for the small support modules: errpage, metrics, log escaping, the buffer pool. */
#include <stdlib.h>

#include "base/log.h"
#include "base/metrics.h"
#include "check.h"
#include "core/buf.h"
#include "http/errpage.h"

static void test_403_bytes(void)
{
    static const char want[] =
        "HTTP/1.0 403 Forbidden\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n"
        "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n"
        "</body></html>\n\n";
    size_t len, head;
    const char *p = errpage_403(&len, &head);
    CHECK(len == sizeof want - 1 && memcmp(p, want, len) == 0, "403 bytes differ from Tecnativa's");
    CHECK(head == strlen("HTTP/1.0 403 Forbidden\r\ncache-control: no-cache\r\n"
                         "content-type: text/html\r\n\r\n"),
          "403 head length %zu", head);
}

static void test_error_pages(void)
{
    static const int codes[] = {400, 404, 408, 413, 414, 417, 431, 501, 502, 503, 504, 505};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char buf[1024], line[64];
        size_t n = errpage_format(buf, sizeof buf, codes[i], "why it failed", false);
        buf[n] = '\0';
        snprintf(line, sizeof line, "HTTP/1.0 %d %s\r\n", codes[i], errpage_status_text(codes[i]));
        CHECK(strncmp(buf, line, strlen(line)) == 0, "status line for %d: %.40s", codes[i], buf);
        CHECK(strstr(buf, "sockwarden: why it failed") != NULL, "reason missing for %d", codes[i]);
        CHECK(strstr(buf, "\r\n\r\n<html>") != NULL, "body for %d", codes[i]);
        size_t h = errpage_format(buf, sizeof buf, codes[i], "why", true);
        buf[h] = '\0';
        CHECK(h > 4 && strcmp(buf + h - 4, "\r\n\r\n") == 0 && !strstr(buf, "<html>"),
              "HEAD answer for %d has a body", codes[i]);
    }
    char small[40];
    size_t n = errpage_format(small, sizeof small, 400, "a long reason that cannot fit", false);
    CHECK(n == sizeof small - 1 && small[n] == '\0', "truncation %zu", n);
    CHECK(strcmp(errpage_status_text(503), "Service Unavailable") == 0, "503 text");
    /* Every status the proxy answers with has its own text (the list is checked against the
     * sources by tests/image/test_docs.py), and any other gets its class's, never another's. */
    static const struct {
        int status;
        const char *text;
    } texts[] = {
        {400, "Bad Request"},       {403, "Forbidden"},
        {404, "Not Found"},         {408, "Request Time-out"},
        {413, "Payload Too Large"}, {414, "URI Too Long"},
        {417, "Expectation Failed"}, {431, "Request Header Fields Too Large"},
        {501, "Not Implemented"},   {502, "Bad Gateway"},
        {503, "Service Unavailable"}, {504, "Gateway Time-out"},
        {505, "HTTP Version Not Supported"}, {418, "Client Error"},
        {499, "Client Error"},      {507, "Server Error"},
        {599, "Server Error"},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char buf[1024], want[96];
        errpage_format(buf, sizeof buf, texts[i].status, NULL, true);
        snprintf(want, sizeof want, "HTTP/1.0 %d %s\r\n", texts[i].status, texts[i].text);
        CHECK(strncmp(buf, want, strlen(want)) == 0, "status line for %d: %.50s", texts[i].status,
              buf);
    }
}

/* A strict reading of a JSON string's body (RFC 8259 §7, RFC 3629 for the UTF-8). */
static bool json_string_body_ok(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '\\') {
            if (i + 1 >= n)
                return false;
            unsigned char e = p[i + 1];
            if (e == 'u') {
                if (i + 6 > n)
                    return false;
                for (int k = 2; k < 6; k++)
                    if (!strchr("0123456789abcdefABCDEF", p[i + k]) || !p[i + k])
                        return false;
                i += 6;
            } else if (strchr("\"\\/bfnrt", e) && e) {
                i += 2;
            } else {
                return false;
            }
        } else if (c < 0x20 || c == '"') {
            return false;
        } else if (c < 0x80) {
            i++;
        } else {
            size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
            if (!len || c > 0xf4 || i + len > n)
                return false;
            for (size_t k = 1; k < len; k++)
                if ((p[i + k] & 0xc0) != 0x80)
                    return false;
            uint32_t cp = len == 2 ? c & 0x1f : len == 3 ? c & 0x0f : c & 0x07;
            for (size_t k = 1; k < len; k++)
                cp = cp << 6 | (p[i + k] & 0x3f);
            if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
                (cp >= 0xd800 && cp <= 0xdfff))
                return false;
            i += len;
        }
    }
    return true;
}

static void test_log_escape(void)
{
    static const struct {
        const char *in;
        bool json;
        const char *want;
    } cases[] = {
        {"/containers/json", false, "/containers/json"},
        {"a\nb", false, "a\\x0ab"},
        {"a\r\nfake line", false, "a\\x0d\\x0afake line"},
        {"q\"uote", false, "q\\x22uote"},
        {"back\\slash", false, "back\\x5cslash"},
        {"\xc3\xa9", false, "\\xc3\\xa9"},
        {"a\nb", true, "a\\u000ab"},
        {"q\"uote", true, "q\\u0022uote"},
        {"tab\there", true, "tab\\u0009here"},
        {"", true, ""},
        /* JSON logs carry UTF-8 as it is; bytes that are not UTF-8 become the text \xHH. */
        {"/run/caf\xc3\xa9.sock", true, "/run/caf\xc3\xa9.sock"},
        {"\xe2\x82\xac \xf0\x9f\x90\xb3", true, "\xe2\x82\xac \xf0\x9f\x90\xb3"},
        {"\xff", true, "\\\\xff"},
        {"\xc3(", true, "\\\\xc3("},                   /* truncated sequence */
        {"\xc0\xaf", true, "\\\\xc0\\\\xaf"},          /* overlong '/' */
        {"\xed\xa0\x80", true, "\\\\xed\\\\xa0\\\\x80"}, /* a surrogate, U+D800 */
        {"\xf4\x90\x80\x80", true, "\\\\xf4\\\\x90\\\\x80\\\\x80"}, /* past U+10FFFF */
        {"\x80", true, "\\\\x80"},                    /* a stray continuation byte */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[128];
        size_t n = log_escape(out, 0, sizeof out, cases[i].in, cases[i].json);
        CHECK_STR(out, n, cases[i].want, cases[i].in);
    }
    char tiny[10];
    size_t n = log_escape(tiny, 0, sizeof tiny, "\n\n\n\n\n\n", false);
    CHECK(n < sizeof tiny && tiny[n] == '\0', "escape stays in bounds (%zu)", n);
    /* Every byte, and every pair of bytes, makes a valid JSON string body, and never a line end. */
    for (unsigned a = 1; a < 256; a++)
        for (unsigned b = 0; b < 256; b += (a < 0x80 ? 255 : 1)) {
            char in[3] = {(char)a, (char)b, 0}, out[64];
            n = log_escape(out, 0, sizeof out, in, true);
            CHECK(json_string_body_ok(out, n), "JSON escape of %02x %02x: %s", a, b, out);
            n = log_escape(out, 0, sizeof out, in, false);
            CHECK(!memchr(out, '\n', n) && !memchr(out, '\r', n), "text escape of %02x %02x", a, b);
        }
}

static void test_metrics(void)
{
    static struct metrics m; /* about 6 KiB */
    memset(&m, 0, sizeof m);
    metrics_request(&m, "allow", "containers", 200, 100, 3);
    metrics_request(&m, "allow", "containers", 200, 50, 700);
    metrics_request(&m, "deny", "none", 403, 170, 0);
    metrics_upstream_error(&m, metrics_cause_from_errno(2 /* ENOENT */));
    metrics_connection_opened(&m);
    struct metrics_gauges g = {5, 2, 3, 49152, 0};
    size_t need = metrics_render(&m, NULL, 0, &g);
    char *buf = malloc(need + 1);
    size_t n = metrics_render(&m, buf, need + 1, &g);
    CHECK(n == need, "render length %zu vs %zu", n, need);
    CHECK(strstr(buf, "sockwarden_requests_total{decision=\"allow\",section=\"containers\","
                      "status=\"200\"} 2\n") != NULL,
          "allow series");
    CHECK(strstr(buf, "{decision=\"deny\",section=\"none\",status=\"403\"} 1\n") != NULL, "deny");
    CHECK(strstr(buf, "sockwarden_response_bytes_total 320\n") != NULL, "bytes");
    CHECK(strstr(buf, "sockwarden_upstream_errors_total{cause=\"no_socket\"} 1\n") != NULL,
          "cause");
    CHECK(strstr(buf, "_bucket{le=\"0.005\"} 2\n") != NULL, "histogram cumulative");
    CHECK(strstr(buf, "_bucket{le=\"+Inf\"} 3\n") != NULL, "histogram total");
    CHECK(strstr(buf, "sockwarden_tunnels_active 2\n") != NULL, "tunnels gauge");
    CHECK(strstr(buf, "sockwarden_buffers_in_use 3\n") != NULL, "buffers gauge");
    CHECK(strstr(buf, "sockwarden_buffer_bytes 49152\n") != NULL, "buffer bytes gauge");
    free(buf);
    /* Bounded label sets: far more distinct statuses than series slots. */
    for (int s = 100; s < 100 + 3 * METRICS_MAX_SERIES; s++)
        metrics_request(&m, "allow", "images", s, 1, 1);
    need = metrics_render(&m, NULL, 0, &g);
    buf = malloc(need + 1);
    metrics_render(&m, buf, need + 1, &g);
    size_t lines = 0;
    unsigned long long sum = 0;
    for (char *p = buf; (p = strstr(p, "sockwarden_requests_total{")); p++) {
        lines++;
        sum += strtoull(strchr(p, '}') + 2, NULL, 10);
    }
    CHECK(lines == METRICS_MAX_SERIES, "series bounded: %zu", lines);
    /* What the header says: every later triple in one series with all three labels "other", and
     * no request lost. 3 before, 3 * MAX_SERIES statuses; the first MAX_SERIES - 3 of those
     * still get a series of their own. */
    unsigned long long overflow = 3ULL * METRICS_MAX_SERIES - (METRICS_MAX_SERIES - 1 - 2);
    char want[160];
    snprintf(want, sizeof want,
             "sockwarden_requests_total{decision=\"other\",section=\"other\",status=\"other\"} "
             "%llu\n",
             overflow);
    CHECK(strstr(buf, want) != NULL, "overflow series: %s", want);
    CHECK(sum == 3 + 3ULL * METRICS_MAX_SERIES, "requests counted: %llu", sum);
    CHECK(strstr(buf, "sockwarden_held_bytes 0\n") != NULL, "held bytes gauge");
    free(buf);
}

static void test_buf_pool(void)
{
    struct buf_pool bp = {0};
    struct buf a = {0}, b = {0};
    size_t base = buf_in_use(&bp), base_bytes = buf_bytes_lent(&bp);
    CHECK(buf_get(&bp, &a) == 0 && a.cap == BUF_SIZE && a.len == 0, "get");
    CHECK(buf_in_use(&bp) == base + 1, "in use");
    CHECK(buf_bytes_lent(&bp) == base_bytes + BUF_SIZE, "bytes lent: %zu", buf_bytes_lent(&bp));
    memcpy(buf_tail(&a), "hello", 5);
    a.len = 5;
    buf_consume(&a, 2);
    CHECK(a.off == 2 && a.len == 3 && memcmp(buf_head(&a), "llo", 3) == 0, "consume");
    buf_compact(&a);
    CHECK(a.off == 0 && memcmp(a.p, "llo", 3) == 0, "compact");
    CHECK(buf_grow(&bp, &a, 70000) == 0 && a.cap == 70000 && memcmp(a.p, "llo", 3) == 0, "grow");
    CHECK(buf_in_use(&bp) == base + 1 && buf_bytes_lent(&bp) == base_bytes + 70000,
          "grown: one buffer, its new size lent: %zu", buf_bytes_lent(&bp));
    buf_consume(&a, 3);
    CHECK(a.off == 0 && a.len == 0, "empty resets offset");
    buf_put(&bp, &a);
    CHECK(a.p == NULL && buf_in_use(&bp) == base && buf_bytes_lent(&bp) == base_bytes, "put");
    buf_put(&bp, &a); /* no-op */
    CHECK(buf_get(&bp, &b) == 0, "reuse");
    size_t pooled = buf_pool_free_count(&bp);
    buf_put(&bp, &b);
    CHECK(buf_pool_free_count(&bp) == pooled + 1, "returned to pool");
    buf_pool_fini(&bp);
    CHECK(buf_pool_free_count(&bp) == 0, "pool freed");
}

int main(void)
{
    test_403_bytes();
    test_error_pages();
    test_log_escape();
    test_metrics();
    test_buf_pool();
    return TEST_SUMMARY("support");
}

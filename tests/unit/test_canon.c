/* canon: accepted targets and their canonical form, refused targets and their reason,
 * re-serialisation, and the round-trip property on every accepted case. */
#include <stdlib.h>

#include "check.h"
#include "http/canon.h"

struct ok_case {
    const char *target;
    const char *path;
    const char *version;
    const char *query; /* NULL: no '?' */
    const char *formatted;
};

static const struct ok_case ok_cases[] = {
    {"/", "/", "", NULL, "/"},
    {"/_ping", "/_ping", "", NULL, "/_ping"},
    {"/version", "/version", "", NULL, "/version"},
    {"/v1.41/version", "/version", "1.41", NULL, "/v1.41/version"},
    {"/v1/version", "/version", "1", NULL, "/v1/version"},
    {"/v1.41.9/version", "/version", "1.41.9", NULL, "/v1.41.9/version"},
    {"/v./version", "/version", ".", NULL, "/v./version"},
    {"/v1.41/v1.41/version", "/v1.41/version", "1.41", NULL, "/v1.41/v1.41/version"},
    {"/v1.41", "/v1.41", "", NULL, "/v1.41"},
    {"/v1.41?x=1", "/v1.41", "", "x=1", "/v1.41?x=1"},
    {"/v/version", "/v/version", "", NULL, "/v/version"},
    {"/vABC/version", "/vABC/version", "", NULL, "/vABC/version"},
    {"/V1.41/version", "/V1.41/version", "", NULL, "/V1.41/version"},
    {"/v1.4a/version", "/v1.4a/version", "", NULL, "/v1.4a/version"},
    {"/v%31.41/containers/json", "/containers/json", "1.41", NULL, "/v1.41/containers/json"},
    {"/%76ersion", "/version", "", NULL, "/version"},
    {"/%63ontainers/json", "/containers/json", "", NULL, "/containers/json"},
    {"/v1.41/containers/json?all=1&filters=%7B%22a%22%7D", "/containers/json", "1.41",
     "all=1&filters=%7B%22a%22%7D", "/v1.41/containers/json?all=1&filters=%7B%22a%22%7D"},
    {"/containers/json?", "/containers/json", "", "", "/containers/json?"},
    {"/containers/json?a?b=/c", "/containers/json", "", "a?b=/c", "/containers/json?a?b=/c"},
    {"/containers/a/b/json", "/containers/a/b/json", "", NULL, "/containers/a/b/json"},
    {"/images/caf%C3%A9/json", "/images/caf\xc3\xa9/json", "", NULL, "/images/caf%C3%A9/json"},
    {"/images/a%20b/json", "/images/a b/json", "", NULL, "/images/a%20b/json"},
    {"/images/a%23b/json", "/images/a#b/json", "", NULL, "/images/a%23b/json"},
    {"/images/a%3Fb/json", "/images/a?b/json", "", NULL, "/images/a%3Fb/json"},
    {"/images/a%25b/json", "/images/a%b/json", "", NULL, "/images/a%25b/json"},
    {"/images/a%7eb/json", "/images/a~b/json", "", NULL, "/images/a~b/json"},
    {"/images/a+b:c@d!$&'()*,;=/json", "/images/a+b:c@d!$&'()*,;=/json", "", NULL,
     "/images/a+b:c@d!$&'()*,;=/json"},
    {"/images/a\"b/json", "/images/a\"b/json", "", NULL, "/images/a%22b/json"},
    {"/images/a<b>[c]{d}|e^f`g/json", "/images/a<b>[c]{d}|e^f`g/json", "", NULL,
     "/images/a%3Cb%3E%5Bc%5D%7Bd%7D%7Ce%5Ef%60g/json"},
    {"/images/a\\b/json", "/images/a\\b/json", "", NULL, "/images/a%5Cb/json"},
    {"/images/%2e%2e%2e/json", "/images/.../json", "", NULL, "/images/.../json"},
    {"/images/.hidden/json", "/images/.hidden/json", "", NULL, "/images/.hidden/json"},
    {"/images/a../json", "/images/a../json", "", NULL, "/images/a../json"},
    /* The trailing-slash routes dockerd registers are kept, slash and all. */
    {"/networks/", "/networks/", "", NULL, "/networks/"},
    {"/v1.41/networks/", "/networks/", "1.41", NULL, "/v1.41/networks/"},
    {"/networks/?filters=%7B%7D", "/networks/", "", "filters=%7B%7D", "/networks/?filters=%7B%7D"},
    {"/%6Eetworks/", "/networks/", "", NULL, "/networks/"},
    {"/debug/pprof/", "/debug/pprof/", "", NULL, "/debug/pprof/"},
};

struct bad_case {
    const char *target;
    const char *reason;
};

static const struct bad_case bad_cases[] = {
    {"", "request target does not start with '/'"},
    {"*", "request target does not start with '/'"},
    {"version", "request target does not start with '/'"},
    {"http://h/version", "request target does not start with '/'"},
    {"%2Fversion", "request target does not start with '/'"},
    {"?x", "request target does not start with '/'"},
    {"/v1.41/containers%2Fjson", "encoded slash in path"},
    {"/v1.41/containers%2fjson", "encoded slash in path"},
    {"/version%2F..%2Fcontainers%2Fjson", "encoded slash in path"},
    {"/containers/a%00b/json", "encoded NUL in path"},
    {"/containers/a%01/json", "encoded control character in path"},
    {"/containers/a%0a/json", "encoded control character in path"},
    {"/containers/a%0D/json", "encoded control character in path"},
    {"/containers/a%1f/json", "encoded control character in path"},
    {"/containers/a%7F/json", "encoded control character in path"},
    {"/containers/%zz/json", "malformed percent-escape in path"},
    {"/containers/%4/json", "malformed percent-escape in path"},
    {"/containers/json%", "malformed percent-escape in path"},
    {"/containers/json%4", "malformed percent-escape in path"},
    {"/containers/%g0/json", "malformed percent-escape in path"},
    {"/containers/%%30/json", "malformed percent-escape in path"},
    {"/containers/%+1/json", "malformed percent-escape in path"},
    {"/containers/json#frag", "'#' in request target"},
    {"/containers/json?x#y", "'#' in request target"},
    {"/containers/json ", "invalid byte in request target"},
    {"/containers/j son", "invalid byte in request target"},
    {"/containers/json?a b", "invalid byte in request target"},
    {"/containers/json\t", "invalid byte in request target"},
    {"/containers/json\x7f", "invalid byte in request target"},
    {"/containers/caf\xc3\xa9/json", "invalid byte in request target"},
    {"/containers/json?caf\xc3\xa9", "invalid byte in request target"},
    {"/containers/json?\x01", "invalid byte in request target"},
    {"//version", "empty path segment"},
    {"//", "empty path segment"},
    {"/containers//json", "empty path segment"},
    {"/v1.41//version", "empty path segment"},
    {"/containers/json/", "trailing slash in path"},
    {"/networks/x/", "trailing slash in path"},
    {"/v1.41/v1.41/networks/", "trailing slash in path"},
    {"/debug/pprof/x/", "trailing slash in path"},
    {"/networks//", "empty path segment"},
    {"/xnetworks/", "trailing slash in path"},
    {"/_ping/", "trailing slash in path"},
    {"/v1.41/", "trailing slash in path"},
    {"/containers/json/?x=1", "trailing slash in path"},
    {"/.", "dot-segment in path"},
    {"/..", "dot-segment in path"},
    {"/./version", "dot-segment in path"},
    {"/version/../containers/json", "dot-segment in path"},
    {"/containers/a/stop/../../create", "dot-segment in path"},
    {"/containers/json/.", "dot-segment in path"},
    {"/containers/json/..", "dot-segment in path"},
    {"/%2e/version", "dot-segment in path"},
    {"/%2E%2e/version", "dot-segment in path"},
    {"/version/%2e%2E/containers/json", "dot-segment in path"},
    {"/version/.%2e/containers/json", "dot-segment in path"},
    {"/v1.41/../version", "dot-segment in path"},
    {"/v12345678901234567890123456789012/version", "API version prefix too long"},
};

static void check_ok(const struct ok_case *k)
{
    struct canon c;
    const char *reason = "unset";
    char buf[3 * CANON_PATH_MAX + 64];
    int rc = canon_target(k->target, strlen(k->target), &c, &reason);
    CHECK_INT(rc, 0, k->target);
    if (rc != 0) {
        fprintf(stderr, "  reason: %s\n", reason);
        return;
    }
    CHECK_STR(c.path, c.path_len, k->path, k->target);
    CHECK(c.path[c.path_len] == '\0', "%s: path not terminated", k->target);
    CHECK_STR(c.version, c.version_len, k->version, k->target);
    if (k->query == NULL) {
        CHECK(c.query == NULL, "%s: unexpected query", k->target);
    } else {
        CHECK(c.query != NULL, "%s: missing query", k->target);
        if (c.query)
            CHECK_STR(c.query, c.query_len, k->query, k->target);
    }
    int n = canon_format_target(&c, buf, sizeof(buf));
    CHECK(n >= 0, "%s: format failed", k->target);
    if (n < 0)
        return;
    CHECK_STR(buf, (size_t)n, k->formatted, k->target);

    /* Round trip: the formatted form is canonical and means the same. */
    struct canon c2;
    CHECK_INT(canon_target(buf, (size_t)n, &c2, &reason), 0, buf);
    CHECK_STR(c2.path, c2.path_len, k->path, buf);
    CHECK_STR(c2.version, c2.version_len, k->version, buf);
    CHECK((c2.query == NULL) == (k->query == NULL), "%s: query presence changed", buf);
}

static void check_bad(const struct bad_case *k)
{
    struct canon c;
    const char *reason = NULL;
    int rc = canon_target(k->target, strlen(k->target), &c, &reason);
    CHECK_INT(rc, -1, k->target);
    CHECK(reason != NULL && strcmp(reason, k->reason) == 0, "%s: reason '%s' want '%s'", k->target,
          reason ? reason : "(null)", k->reason);
    CHECK(c.query == NULL, "%s: query left set on failure", k->target);
}

/* The target is taken by length: bytes after len are never read, embedded NUL is refused. */
static void test_lengths(void)
{
    struct canon c;
    const char *reason = NULL;
    CHECK_INT(canon_target("/versionXYZ", 8, &c, &reason), 0, "prefix length");
    CHECK_STR(c.path, c.path_len, "/version", "prefix length");
    CHECK_INT(canon_target("/ver\0sion", 9, &c, &reason), -1, "embedded NUL");
    CHECK(strcmp(reason, "invalid byte in request target") == 0, "embedded NUL reason %s", reason);
    CHECK_INT(canon_target("/version?", 8, &c, &reason), 0, "query cut by length");
    CHECK(c.query == NULL, "query outside len");
}

static void test_path_limit(void)
{
    static char t[CANON_PATH_MAX + 16];
    struct canon c;
    const char *reason = NULL;
    /* "/a" repeated: decoded length exactly CANON_PATH_MAX - 1 fits, one more does not. */
    for (size_t i = 0; i < CANON_PATH_MAX; i += 2) {
        t[i] = '/';
        t[i + 1] = 'a';
    }
    CHECK_INT(canon_target(t, CANON_PATH_MAX - 2, &c, &reason), 0, "long path fits");
    CHECK_INT(c.path_len, CANON_PATH_MAX - 2, "long path length");
    t[CANON_PATH_MAX - 2] = 'b';
    t[CANON_PATH_MAX - 1] = 'c';
    CHECK_INT(canon_target(t, CANON_PATH_MAX - 1, &c, &reason), 0, "max path fits");
    CHECK_INT(canon_target(t, CANON_PATH_MAX, &c, &reason), -1, "path too long");
    CHECK(strcmp(reason, "path too long") == 0, "reason %s", reason);
    /* Encoded bytes count once decoded: 3 * 2000 raw bytes → 2000 decoded. */
    size_t n = 0;
    t[n++] = '/';
    for (int i = 0; i < 2000; i++) {
        memcpy(t + n, "%41", 3);
        n += 3;
    }
    CHECK_INT(canon_target(t, n, &c, &reason), 0, "encoded long path");
    CHECK_INT(c.path_len, 2001, "encoded long path decoded length");
}

static void test_format_capacity(void)
{
    struct canon c;
    const char *reason = NULL;
    char buf[64];
    const char *t = "/v1.41/images/a%20b/json?x=1";
    CHECK_INT(canon_target(t, strlen(t), &c, &reason), 0, t);
    int need = canon_format_target(&c, buf, sizeof(buf));
    CHECK_STR(buf, (size_t)(need < 0 ? 0 : need), "/v1.41/images/a%20b/json?x=1", "format");
    for (size_t cap = 0; cap <= (size_t)need; cap++)
        CHECK_INT(canon_format_target(&c, buf, cap), -1, "capacity too small");
    CHECK_INT(canon_format_target(&c, buf, (size_t)need + 1), need, "exact capacity");
    CHECK(buf[need] == '\0', "terminated");
}

/* Every decoded byte value that is accepted is re-encoded so that it decodes back to itself. */
static void test_all_bytes(void)
{
    static const char hex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; b++) {
        char t[16];
        snprintf(t, sizeof(t), "/x%%%c%cy", hex[b >> 4], hex[b & 15]);
        struct canon c, c2;
        const char *reason = NULL;
        bool want = b >= 0x20 && b != 0x7f && b != '/';
        int rc = canon_target(t, strlen(t), &c, &reason);
        CHECK_INT(rc, want ? 0 : -1, t);
        if (rc != 0)
            continue;
        CHECK_INT(c.path_len, 4, t);
        CHECK_INT((unsigned char)c.path[2], b, t);
        char buf[32];
        int n = canon_format_target(&c, buf, sizeof(buf));
        CHECK(n > 0 && canon_target(buf, (size_t)n, &c2, &reason) == 0 && c2.path_len == 4 &&
                  memcmp(c.path, c2.path, 4) == 0,
              "%s: byte %02X does not round-trip (%s)", t, b, buf);
    }
}

/* Random targets from a small alphabet: whatever is accepted must round-trip and be clean. */
static void test_random_round_trip(void)
{
    static const char *const atoms[] = {"/",   "a", "v", "1", ".",   "%2e", "%2F",        "%41",
                                        "%c3", "?", "=", "%", "%zz", "#",   "containers", "v1.41"};
    srand(12345);
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        char t[128] = "/";
        int parts = rand() % 8;
        for (int i = 0; i < parts; i++)
            strcat(t, atoms[rand() % (int)(sizeof(atoms) / sizeof(atoms[0]))]);
        struct canon c, c2;
        const char *reason = NULL;
        if (canon_target(t, strlen(t), &c, &reason) != 0)
            continue;
        accepted++;
        char buf[512];
        int n = canon_format_target(&c, buf, sizeof(buf));
        int rc2 = n < 0 ? -1 : canon_target(buf, (size_t)n, &c2, &reason);
        bool same = rc2 == 0 && c.path_len == c2.path_len &&
                    memcmp(c.path, c2.path, c.path_len) == 0 &&
                    strcmp(c.version, c2.version) == 0 && (c.query == NULL) == (c2.query == NULL) &&
                    c.query_len == c2.query_len &&
                    (c.query == NULL || memcmp(c.query, c2.query, c.query_len) == 0);
        if (!same)
            CHECK(same, "round trip of %s via %s", t, buf);
        if (strstr(c.path, "//") || strstr(c.path, "/./") || strstr(c.path, "/../"))
            CHECK(0, "%s: unclean path %s", t, c.path);
    }
    CHECK(accepted > 1000, "random round trip accepted only %d", accepted);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++)
        check_ok(&ok_cases[i]);
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
        check_bad(&bad_cases[i]);
    test_lengths();
    test_path_limit();
    test_format_capacity();
    test_all_bytes();
    test_random_round_trip();
    return TEST_SUMMARY("canon");
}

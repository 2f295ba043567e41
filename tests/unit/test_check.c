/* check: the `sockwarden check` sub-command — exact output lines and exit codes. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "fake_env.h"
#include "policy/check.h"

static const char *const seed_env[] = {"CONTAINERS=1", "NETWORKS=1", "SERVICES=0",
                                       "TASKS=0",      "POST=0",     NULL};

static void load_config(struct config *c, const char *const *env)
{
    char err[256] = "";
    fake_env = env;
    CHECK(config_load(c, 0, NULL, fake_getenv, NULL, err, sizeof(err)) == 0, "config: %s", err);
}

/* Runs check_main with argv and stdin text; returns the exit code, output in *text (malloc). */
static int run(const struct config *c, int argc, const char *const *argv, const char *input,
               char **text)
{
    size_t len = 0;
    FILE *out = open_memstream(text, &len);
    FILE *in = input && *input ? fmemopen((void *)(uintptr_t)input, strlen(input), "r")
                               : fopen("/dev/null", "r");
    if (!in || !out) {
        CHECK(0, "cannot open streams");
        exit(1);
    }
    int rc = check_main(c, argc, (char **)(uintptr_t)argv, in, out);
    fclose(in);
    fclose(out);
    return rc;
}

static void single(const struct config *c, const char *method, const char *target, int want_rc,
                   const char *want_out)
{
    char *text = NULL;
    const char *argv[] = {method, target};
    int rc = run(c, 2, argv, NULL, &text);
    CHECK_INT(rc, want_rc, target);
    CHECK(strcmp(text, want_out) == 0, "%s %s:\n got  '%s'\n want '%s'", method, target, text,
          want_out);
    free(text);
}

static void test_single(void)
{
    struct config seed, def;
    load_config(&seed, seed_env);
    load_config(&def, NULL);
    single(&seed, "POST", "/v1.41/containers/create", 1,
           "deny  POST /v1.41/containers/create  rule=POST=0  canonical=/containers/create "
           "version=1.41 route=plain\n");
    single(&seed, "GET", "/containers/json?all=1", 0,
           "allow GET /containers/json?all=1  rule=CONTAINERS  canonical=/containers/json "
           "version=- route=plain\n");
    single(&seed, "GET", "/v1.41/networks", 0,
           "allow GET /v1.41/networks  rule=NETWORKS  canonical=/networks version=1.41 "
           "route=plain\n");
    single(&seed, "GET", "/services", 1,
           "deny  GET /services  rule=SERVICES=0  canonical=/services version=- route=plain\n");
    single(&def, "GET", "/v1.45/events", 0,
           "allow GET /v1.45/events  rule=EVENTS  canonical=/events version=1.45 route=events\n");
    single(&seed, "POST", "/containers/x/attach", 1,
           "deny  POST /containers/x/attach  rule=POST=0  canonical=/containers/x/attach "
           "version=- route=hijack\n");
    single(&seed, "GET", "/containers/x/archive", 1,
           "deny  GET /containers/x/archive  rule=ALLOW_ARCHIVE=0  "
           "canonical=/containers/x/archive version=- route=plain\n");
    single(&def, "get", "/version", 1,
           "deny  get /version  rule=method  canonical=/version version=- route=plain\n");
    single(&def, "GET", "/VERSION", 1,
           "deny  GET /VERSION  rule=no-section  canonical=/VERSION version=- route=plain\n");
    single(&def, "GET", "/debug/vars", 1,
           "deny  GET /debug/vars  rule=debug  canonical=/debug/vars version=- route=plain\n");
    single(&def, "GET", "/%76ersion", 0,
           "allow GET /%76ersion  rule=VERSION  canonical=/version version=- route=plain\n");
    single(&seed, "GET", "/containers/caf%c3%a9%20x/json", 0,
           "allow GET /containers/caf%c3%a9%20x/json  rule=CONTAINERS  "
           "canonical=/containers/caf%C3%A9%20x/json version=- route=plain\n");
    single(&def, "GET", "/v1.41/v1.41/version", 1,
           "deny  GET /v1.41/v1.41/version  rule=no-section  canonical=/v1.41/version "
           "version=1.41 route=plain\n");

    /* Unparsable: exit 2 with the reason the proxy would give with its 400. */
    single(&def, "GET", "/containers%2Fjson", 2,
           "error GET /containers%2Fjson  reason=encoded slash in path (the proxy answers 400)\n");
    single(&def, "GET", "/version/../containers/json", 2,
           "error GET /version/../containers/json  reason=dot-segment in path (the proxy answers "
           "400)\n");
    single(&def, "GET", "version", 2,
           "error GET version  reason=request target does not start with '/' (the proxy "
           "answers 400)\n");
    single(&def, "GET", "/x y\x01\\", 2,
           "error GET /x\\x20y\\x01\\x5C  reason=invalid byte in request target (the proxy "
           "answers 400)\n");
    single(&def, "G ET", "/version", 2,
           "error G\\x20ET /version  reason=invalid method token (the proxy answers 400)\n");
    single(&def, "", "/version", 2,
           "error  /version  reason=invalid method token (the proxy answers 400)\n");
    single(&def, "GET(", "/version", 2,
           "error GET( /version  reason=invalid method token (the proxy answers 400)\n");
    single(&def, "FOO", "/version", 1,
           "deny  FOO /version  rule=method  canonical=/version version=- route=plain\n");
}

static void test_usage(void)
{
    struct config def;
    load_config(&def, NULL);
    static const struct {
        int argc;
        const char *argv[3];
    } cases[] = {{0, {NULL}}, {1, {"GET"}}, {1, {"--"}}, {3, {"GET", "/version", "x"}}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = NULL;
        CHECK_INT(run(&def, cases[i].argc, cases[i].argv, NULL, &text), 2, "usage");
        CHECK(strncmp(text, "usage: sockwarden check METHOD TARGET", 37) == 0, "usage text '%s'",
              text);
        free(text);
    }
}

static void lines(const struct config *c, const char *input, int want_rc, const char *want_out)
{
    char *text = NULL;
    const char *argv[] = {"-"};
    int rc = run(c, 1, argv, input, &text);
    CHECK_INT(rc, want_rc, input);
    CHECK(strcmp(text, want_out) == 0, "input '%s':\n got  '%s'\n want '%s'", input, text,
          want_out);
    free(text);
}

static void test_lines(void)
{
    struct config seed;
    load_config(&seed, seed_env);
    lines(&seed, "", 0, "");
    lines(&seed, "GET /containers/json\nGET /networks\n", 0,
          "allow GET /containers/json  rule=CONTAINERS  canonical=/containers/json version=- "
          "route=plain\n"
          "allow GET /networks  rule=NETWORKS  canonical=/networks version=- route=plain\n");
    lines(&seed, "GET /containers/json\nPOST /v1.41/containers/create\n", 1,
          "allow GET /containers/json  rule=CONTAINERS  canonical=/containers/json version=- "
          "route=plain\n"
          "deny  POST /v1.41/containers/create  rule=POST=0  canonical=/containers/create "
          "version=1.41 route=plain\n");
    /* Blank lines, comments, CRLF, tabs, surrounding blanks, no final newline. */
    lines(&seed, "# seed\n\n   \r\n\tGET\t/_ping \r\n  # x\nHEAD /_ping", 0,
          "allow GET /_ping  rule=PING  canonical=/_ping version=- route=plain\n"
          "allow HEAD /_ping  rule=PING  canonical=/_ping version=- route=plain\n");
    /* Malformed lines give 2 and processing continues. */
    lines(&seed, "GET\nGET /_ping\n", 2,
          "error line 1: expected \"METHOD TARGET\"\n"
          "allow GET /_ping  rule=PING  canonical=/_ping version=- route=plain\n");
    lines(&seed, "GET /_ping extra\n", 2, "error line 1: expected \"METHOD TARGET\"\n");
    lines(&seed, "POST /containers/create\nGET //version\nGET /_ping\n", 2,
          "deny  POST /containers/create  rule=POST=0  canonical=/containers/create version=- "
          "route=plain\n"
          "error GET //version  reason=empty path segment (the proxy answers 400)\n"
          "allow GET /_ping  rule=PING  canonical=/_ping version=- route=plain\n");
    lines(&seed, "GET /_ping\nDELETE /containers/x\n", 1,
          "allow GET /_ping  rule=PING  canonical=/_ping version=- route=plain\n"
          "deny  DELETE /containers/x  rule=POST=0  canonical=/containers/x version=- "
          "route=plain\n");

    /* An over-long line is reported once and skipped whole. */
    size_t n = 20000;
    char *big = malloc(n + 64);
    if (!big)
        return;
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', n - 5);
    strcpy(big + n, "\nGET /_ping\n");
    lines(&seed, big, 2,
          "error line 1: longer than 16384 bytes\n"
          "allow GET /_ping  rule=PING  canonical=/_ping version=- route=plain\n");
    free(big);
}

int main(void)
{
    test_single();
    test_usage();
    test_lines();
    return TEST_SUMMARY("check");
}

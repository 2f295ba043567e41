/* config: flag truthiness, defaults, every variable's parsing and errors, the command line, and
 * the startup report. The environment is a fake: a list of "NAME=value" strings. */
#include "config/config.h"

#include <stdint.h>

#include "check.h"
#include "fake_env.h"

static char warnings[16][256];
static int nwarnings;

static void collect_warning(const char *msg)
{
    if (nwarnings < 16)
        snprintf(warnings[nwarnings], sizeof(warnings[0]), "%s", msg);
    nwarnings++;
}

/* Loads with env (NULL-terminated list) and argv; returns config_load's result. */
static int load(struct config *c, const char *const *env, int argc, const char *const *argv,
                char *err, size_t errlen)
{
    fake_env = env;
    nwarnings = 0;
    return config_load(c, argc, (char **)(uintptr_t)argv, fake_getenv, collect_warning, err,
                       errlen);
}

static int load_env(struct config *c, const char *const *env, char *err, size_t errlen)
{
    return load(c, env, 0, NULL, err, errlen);
}

/* Loads a single variable and expects success. */
static bool load_one(struct config *c, const char *assignment)
{
    const char *env[] = {assignment, NULL};
    char err[256] = "";
    int rc = load_env(c, env, err, sizeof(err));
    CHECK(rc == 0, "%s: unexpected error: %s", assignment, err);
    return rc == 0;
}

/* Loads a single variable and expects an error containing each of the given fragments. */
static void load_fails(const char *assignment, const char *frag1, const char *frag2)
{
    struct config c;
    const char *env[] = {assignment, NULL};
    char err[256] = "";
    int rc = load_env(&c, env, err, sizeof(err));
    CHECK(rc == -1, "%s: accepted", assignment);
    CHECK(strstr(err, frag1) != NULL, "%s: error '%s' lacks '%s'", assignment, err, frag1);
    if (frag2)
        CHECK(strstr(err, frag2) != NULL, "%s: error '%s' lacks '%s'", assignment, err, frag2);
}

static void test_truthy(void)
{
    static const char *const yes[] = {"1",
                                      "01",
                                      "2",
                                      "-1",
                                      "+1",
                                      "1abc",
                                      "007",
                                      "-0001",
                                      "10",
                                      "9 ",
                                      "1 0",
                                      "+9x",
                                      "99999999999999999999999999999"};
    static const char *const no[] = {"0",
                                     "00",
                                     "",
                                     "true",
                                     "yes",
                                     "TRUE",
                                     " 1",
                                     "0x1",
                                     "+",
                                     "-",
                                     "+-1",
                                     "--1",
                                     "-0",
                                     "0abc",
                                     "\t1",
                                     "on",
                                     "y",
                                     "abc1",
                                     "000000000000000000000000000000"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        CHECK(config_truthy(yes[i]), "'%s' should be true", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        CHECK(!config_truthy(no[i]), "'%s' should be false", no[i]);
    CHECK(!config_truthy(NULL), "NULL should be false");
}

static void test_defaults(void)
{
    struct config c;
    char err[256];
    memset(&c, 0x5a, sizeof(c));
    CHECK_INT(load_env(&c, NULL, err, sizeof(err)), 0, "defaults");
    CHECK_INT(nwarnings, 0, "no warnings by default");
    for (int i = 0; i < SEC_COUNT; i++)
        CHECK_INT(c.policy.section[i], i == SEC_EVENTS || i == SEC_PING || i == SEC_VERSION,
                  section_env[i]);
    for (int i = 0; i < AL_COUNT; i++)
        CHECK_INT(c.policy.allow[i], i >= AL_LOGS, allow_env[i]);
    CHECK_INT(c.policy.post, 0, "POST");
    CHECK_INT(c.upstream.kind, UP_UNIX, "upstream kind");
    CHECK(strcmp(c.upstream.path, "/var/run/docker.sock") == 0, "upstream %s", c.upstream.path);
    CHECK_INT(c.nbinds, 1, "nbinds");
    CHECK_INT(c.bind_default, 1, "bind_default");
    CHECK_INT(c.binds[0].kind, BIND_TCP, "bind kind");
    CHECK(strcmp(c.binds[0].host, "::") == 0, "bind host %s", c.binds[0].host);
    CHECK_INT(c.binds[0].port, 2375, "bind port");
    CHECK_INT(c.binds[0].host_any, 1, "bind any");
    CHECK_INT(c.binds[0].v6only, 0, "bind dual-stack");
    CHECK_INT(c.disable_ipv6, 0, "disable_ipv6");
    CHECK_INT(c.log_level, SWLOG_INFO, "log level");
    CHECK_INT(c.log_json, 0, "log json");
    CHECK_INT(c.request_timeout_ms, 10000, "REQUEST_TIMEOUT");
    CHECK_INT(c.connect_timeout_ms, 10000, "CONNECT_TIMEOUT");
    CHECK_INT(c.response_timeout_ms, 600000, "RESPONSE_TIMEOUT");
    CHECK_INT(c.keepalive_timeout_ms, 10000, "KEEPALIVE_TIMEOUT");
    CHECK_INT(c.stream_idle_timeout_ms, 0, "STREAM_IDLE_TIMEOUT");
    CHECK_INT(c.grace_ms, 10000, "SHUTDOWN_GRACE");
    CHECK_INT(c.max_connections, 0, "MAX_CONNECTIONS unset: derived at start-up");
    CHECK_INT(c.limits.max_head_bytes, 65536, "MAX_HEADER_BYTES");
    CHECK_INT(c.limits.max_line_bytes, 8192, "MAX_REQUEST_LINE");
    CHECK_INT(c.limits.max_headers, 100, "MAX_HEADER_COUNT");
    CHECK(c.upstream_keepalive, "UPSTREAM_KEEPALIVE defaults to on");
    CHECK_INT(c.max_buffer_bytes, 262144, "MAX_BUFFER_BYTES");

    /* A NULL lookup function means an empty environment; err may be NULL. */
    CHECK_INT(config_load(&c, 0, NULL, NULL, NULL, NULL, 0), 0, "NULL getenv");
    CHECK_INT(c.policy.section[SEC_VERSION], 1, "NULL getenv defaults");
    char *argv[] = {"--nope"};
    CHECK_INT(config_load(&c, 1, argv, NULL, NULL, NULL, 0), -1, "NULL err");
}

/* Every flag, on and off, set through the environment. */
static void test_each_flag(void)
{
    char assign[64];
    struct config c;
    for (int i = 0; i < SEC_COUNT + AL_COUNT + 1; i++) {
        const char *name = i < SEC_COUNT              ? section_env[i]
                           : i < SEC_COUNT + AL_COUNT ? allow_env[i - SEC_COUNT]
                                                      : "POST";
        for (int on = 0; on < 2; on++) {
            snprintf(assign, sizeof(assign), "%s=%d", name, on);
            if (!load_one(&c, assign))
                continue;
            bool got = i < SEC_COUNT              ? c.policy.section[i]
                       : i < SEC_COUNT + AL_COUNT ? c.policy.allow[i - SEC_COUNT]
                                                  : c.policy.post;
            CHECK_INT(got, on, assign);
            CHECK_INT(nwarnings, 0, assign);
            /* Nothing else moved from its default. */
            struct policy def;
            policy_default(&def);
            int others = 0;
            for (int j = 0; j < SEC_COUNT; j++)
                others += j != i && c.policy.section[j] != def.section[j];
            for (int j = 0; j < AL_COUNT; j++)
                others += j + SEC_COUNT != i && c.policy.allow[j] != def.allow[j];
            CHECK_INT(others, 0, assign);
        }
    }
}

static void test_flag_warnings(void)
{
    static const struct {
        const char *assign;
        int on;
        const char *warning; /* NULL: none */
    } cases[] = {
        {"CONTAINERS=1", 1, NULL},
        {"CONTAINERS=-1", 1, NULL},
        {"CONTAINERS=+0", 0, NULL},
        {"CONTAINERS=007", 1, NULL},
        {"CONTAINERS=true", 0,
         "CONTAINERS=true is read as 0 (off): Tecnativa flags take integers; use 1"},
        {"CONTAINERS=yes", 0, "CONTAINERS=yes is read as 0 (off)"},
        {"CONTAINERS=TRUE", 0, "CONTAINERS=TRUE is read as 0 (off)"},
        {"CONTAINERS= 1", 0, "CONTAINERS= 1 is read as 0 (off)"},
        {"CONTAINERS=0x1", 0, "CONTAINERS=0x1 is read as 0 (off)"},
        {"CONTAINERS=1abc", 1,
         "CONTAINERS=1abc is read as 1 (on): Tecnativa flags take "
         "integers; use 1"},
        {"CONTAINERS=false", 0,
         "CONTAINERS=false is read as 0 (off): Tecnativa flags take "
         "integers; use 0"},
        {"EVENTS=", 0, "EVENTS= (empty) is read as 0 (off)"},
        {"POST=on", 0, "POST=on is read as 0 (off)"},
        {"ALLOW_LOGS=no", 0, "ALLOW_LOGS=no is read as 0 (off)"},
        {"VERSION=\x01", 0, "VERSION=? is read as 0 (off)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct config c;
        if (!load_one(&c, cases[i].assign))
            continue;
        const char *name = cases[i].assign;
        bool got = strncmp(name, "CONTAINERS", 10) == 0 ? c.policy.section[SEC_CONTAINERS]
                   : strncmp(name, "EVENTS", 6) == 0    ? c.policy.section[SEC_EVENTS]
                   : strncmp(name, "POST", 4) == 0      ? c.policy.post
                   : strncmp(name, "VERSION", 7) == 0   ? c.policy.section[SEC_VERSION]
                                                        : c.policy.allow[AL_LOGS];
        CHECK_INT(got, cases[i].on, name);
        CHECK_INT(nwarnings, cases[i].warning ? 1 : 0, name);
        if (cases[i].warning && nwarnings == 1)
            CHECK(strncmp(warnings[0], cases[i].warning, strlen(cases[i].warning)) == 0,
                  "%s: warning '%s' want '%s'", name, warnings[0], cases[i].warning);
    }
}

static void test_socket_path(void)
{
    static const struct {
        const char *assign;
        int kind;
        const char *where;
        int port;
    } ok[] = {
        {"SOCKET_PATH=/run/docker.sock", UP_UNIX, "/run/docker.sock", 0},
        {"SOCKET_PATH=unix:///run/user/1000/docker.sock", UP_UNIX, "/run/user/1000/docker.sock", 0},
        {"SOCKET_PATH=", UP_UNIX, "/var/run/docker.sock", 0},
        {"SOCKET_PATH=tcp://127.0.0.1:2375", UP_TCP, "127.0.0.1", 2375},
        {"SOCKET_PATH=tcp://[::1]:2376", UP_TCP, "::1", 2376},
        {"SOCKET_PATH=tcp://localhost:1", UP_TCP, "localhost", 1},
        {"SOCKET_PATH=tcp://10.0.0.2:65535", UP_TCP, "10.0.0.2", 65535},
        {"SOCKET_PATH=127.0.0.1:2375", UP_TCP, "127.0.0.1", 2375},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct config c;
        if (!load_one(&c, ok[i].assign))
            continue;
        CHECK_INT(c.upstream.kind, ok[i].kind, ok[i].assign);
        const char *got = ok[i].kind == UP_UNIX ? c.upstream.path : c.upstream.host;
        CHECK(strcmp(got, ok[i].where) == 0, "%s: got %s", ok[i].assign, got);
        if (ok[i].kind == UP_TCP)
            CHECK_INT(c.upstream.port, ok[i].port, ok[i].assign);
    }
    static const char *const bad[] = {
        "SOCKET_PATH=docker.sock",
        "SOCKET_PATH=unix://docker.sock",
        "SOCKET_PATH=unix://",
        "SOCKET_PATH=tcp://example.com:2375",
        "SOCKET_PATH=tcp://127.0.0.1",
        "SOCKET_PATH=tcp://127.0.0.1:",
        "SOCKET_PATH=tcp://127.0.0.1:0",
        "SOCKET_PATH=tcp://127.0.0.1:65536",
        "SOCKET_PATH=tcp://127.0.0.1:2375x",
        "SOCKET_PATH=tcp://[::1:2375",
        "SOCKET_PATH=tcp://::1:2375",
        "SOCKET_PATH=tcp://[::1]2375",
        "SOCKET_PATH=tcp://1.2.3:80",
        "SOCKET_PATH=http://127.0.0.1:2375",
        "SOCKET_PATH=tcp://[::1]:+80",
        "SOCKET_PATH=unix://tcp://127.0.0.1:1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        load_fails(bad[i], "SOCKET_PATH=", NULL);

    /* sun_path holds 107 bytes and the NUL. */
    char assign[256] = "SOCKET_PATH=/";
    memset(assign + 13, 'a', 106);
    assign[13 + 106] = '\0';
    struct config c;
    if (load_one(&c, assign))
        CHECK_INT(strlen(c.upstream.path), 107, "107-byte path");
    strcat(assign, "a");
    load_fails(assign, "SOCKET_PATH is too long", NULL);
}

static void test_disable_ipv6(void)
{
    static const struct {
        const char *assign;
        bool v4;
    } cases[] = {
        {"DISABLE_IPV6=1", true},   {"DISABLE_IPV6=true", true}, {"DISABLE_IPV6=TRUE", true},
        {"DISABLE_IPV6=Yes", true}, {"DISABLE_IPV6=yes", true},  {"DISABLE_IPV6=0", false},
        {"DISABLE_IPV6=no", false}, {"DISABLE_IPV6=2", false},   {"DISABLE_IPV6= 1", false},
        {"DISABLE_IPV6=", false},   {"DISABLE_IPV6=01", false},  {"DISABLE_IPV6=yes ", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct config c;
        if (!load_one(&c, cases[i].assign))
            continue;
        CHECK_INT(c.disable_ipv6, cases[i].v4, cases[i].assign);
        CHECK_INT(c.nbinds, 1, cases[i].assign);
        CHECK_INT(c.bind_default, 1, cases[i].assign);
        CHECK(strcmp(c.binds[0].host, cases[i].v4 ? "0.0.0.0" : "::") == 0, "%s: host %s",
              cases[i].assign, c.binds[0].host);
        CHECK_INT(c.binds[0].port, 2375, cases[i].assign);
    }
}

struct bind_want {
    int kind;
    const char *where; /* host or path */
    int port;
    bool any, v6only;
    int mode;
};

static void check_bind(const struct bind *b, const struct bind_want *w, const char *ctx)
{
    CHECK_INT(b->kind, w->kind, ctx);
    if (w->kind == BIND_TCP) {
        CHECK(strcmp(b->host, w->where) == 0, "%s: host %s want %s", ctx, b->host, w->where);
        CHECK_INT(b->port, w->port, ctx);
        CHECK_INT(b->host_any, w->any, ctx);
        CHECK_INT(b->v6only, w->v6only, ctx);
    } else {
        CHECK(strcmp(b->path, w->where) == 0, "%s: path %s want %s", ctx, b->path, w->where);
        CHECK_INT(b->mode, w->mode, ctx);
    }
}

static void test_bind_config(void)
{
    static const struct {
        const char *assign;
        struct bind_want want;
    } one[] = {
        {"BIND_CONFIG=:2375", {BIND_TCP, "0.0.0.0", 2375, true, false, 0}},
        {"BIND_CONFIG=*:80", {BIND_TCP, "0.0.0.0", 80, true, false, 0}},
        {"BIND_CONFIG=0.0.0.0:2375", {BIND_TCP, "0.0.0.0", 2375, true, false, 0}},
        {"BIND_CONFIG=127.0.0.1:2375", {BIND_TCP, "127.0.0.1", 2375, false, false, 0}},
        {"BIND_CONFIG=[::]:2375", {BIND_TCP, "::", 2375, true, false, 0}},
        {"BIND_CONFIG=[::]:2375 v4v6", {BIND_TCP, "::", 2375, true, false, 0}},
        {"BIND_CONFIG=[::]:2375 v6only", {BIND_TCP, "::", 2375, true, true, 0}},
        {"BIND_CONFIG=[::1]:2375", {BIND_TCP, "::1", 2375, false, false, 0}},
        {"BIND_CONFIG=[0:0::0]:1", {BIND_TCP, "0:0::0", 1, true, false, 0}},
        {"BIND_CONFIG=[fd00::2]:65535", {BIND_TCP, "fd00::2", 65535, false, false, 0}},
        {"BIND_CONFIG=  127.0.0.1:2375  ", {BIND_TCP, "127.0.0.1", 2375, false, false, 0}},
        {"BIND_CONFIG=/run/sw.sock", {BIND_UNIX, "/run/sw.sock", 0, false, false, -1}},
        {"BIND_CONFIG=/run/sw.sock mode 660", {BIND_UNIX, "/run/sw.sock", 0, false, false, 0660}},
        {"BIND_CONFIG=/run/sw.sock  mode  0600",
         {BIND_UNIX, "/run/sw.sock", 0, false, false, 0600}},
        {"BIND_CONFIG=/s mode 7777", {BIND_UNIX, "/s", 0, false, false, 07777}},
        {"BIND_CONFIG=/s mode 0", {BIND_UNIX, "/s", 0, false, false, 0}},
    };
    for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
        struct config c;
        if (!load_one(&c, one[i].assign))
            continue;
        CHECK_INT(c.nbinds, 1, one[i].assign);
        CHECK_INT(c.bind_default, 0, one[i].assign);
        check_bind(&c.binds[0], &one[i].want, one[i].assign);
    }

    /* Lists, and DISABLE_IPV6 does not touch an explicit list. */
    const char *env[] = {"BIND_CONFIG=127.0.0.1:1, [::1]:2 ,/run/a.sock mode 600,:4",
                         "DISABLE_IPV6=1", NULL};
    static const struct bind_want list[] = {
        {BIND_TCP, "127.0.0.1", 1, false, false, 0},
        {BIND_TCP, "::1", 2, false, false, 0},
        {BIND_UNIX, "/run/a.sock", 0, false, false, 0600},
        {BIND_TCP, "0.0.0.0", 4, true, false, 0},
    };
    struct config c;
    char err[256];
    CHECK_INT(load_env(&c, env, err, sizeof(err)), 0, "bind list");
    CHECK_INT(c.nbinds, 4, "bind list count");
    CHECK_INT(c.disable_ipv6, 1, "bind list disable_ipv6");
    for (size_t i = 0; i < 4 && i < c.nbinds; i++)
        check_bind(&c.binds[i], &list[i], "bind list");

    /* Empty means unset. */
    if (load_one(&c, "BIND_CONFIG="))
        CHECK_INT(c.bind_default, 1, "empty BIND_CONFIG");

    /* At most CONFIG_MAX_BINDS entries. */
    char many[512] = "BIND_CONFIG=";
    for (int i = 1; i <= CONFIG_MAX_BINDS; i++)
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s127.0.0.1:%d",
                 i > 1 ? "," : "", i);
    if (load_one(&c, many))
        CHECK_INT(c.nbinds, CONFIG_MAX_BINDS, "max binds");
    strcat(many, ",127.0.0.1:99");
    load_fails(many, "BIND_CONFIG has more than", NULL);

    static const struct {
        const char *assign, *entry;
    } bad[] = {
        {"BIND_CONFIG=localhost:2375", "'localhost:2375'"},
        {"BIND_CONFIG=example.com:80", "'example.com:80'"},
        {"BIND_CONFIG=127.0.0.1", "'127.0.0.1'"},
        {"BIND_CONFIG=127.0.0.1:", "'127.0.0.1:'"},
        {"BIND_CONFIG=127.0.0.1:abc", "'127.0.0.1:abc'"},
        {"BIND_CONFIG=:0", "':0'"},
        {"BIND_CONFIG=:65536", "':65536'"},
        {"BIND_CONFIG=:", "':'"},
        {"BIND_CONFIG=2375", "'2375'"},
        {"BIND_CONFIG=[::]:2375 v4v7", "'[::]:2375 v4v7'"},
        {"BIND_CONFIG=[::]:2375 v4v6 v6only", "'[::]:2375 v4v6 v6only'"},
        {"BIND_CONFIG=127.0.0.1:2375 v4v6", "'127.0.0.1:2375 v4v6'"},
        {"BIND_CONFIG=/run/a.sock mode", "'/run/a.sock mode'"},
        {"BIND_CONFIG=/run/a.sock mode 8", "'/run/a.sock mode 8'"},
        {"BIND_CONFIG=/run/a.sock mode 77777", "'/run/a.sock mode 77777'"},
        {"BIND_CONFIG=/run/a.sock mode -1", "'/run/a.sock mode -1'"},
        {"BIND_CONFIG=/run/a.sock perm 600", "'/run/a.sock perm 600'"},
        {"BIND_CONFIG=/run/a.sock mode 600 x", "'/run/a.sock mode 600 x'"},
        {"BIND_CONFIG=127.0.0.1:1,,127.0.0.1:2", "''"},
        {"BIND_CONFIG=127.0.0.1:1,", "''"},
        {"BIND_CONFIG=,", "''"},
        {"BIND_CONFIG=  ", "'  '"},
        {"BIND_CONFIG=1.2.3:80", "'1.2.3:80'"},
        {"BIND_CONFIG=256.1.1.1:80", "'256.1.1.1:80'"},
        {"BIND_CONFIG=[fe80::1%eth0]:80", "'[fe80::1%eth0]:80'"},
        {"BIND_CONFIG=[::1]2375", "'[::1]2375'"},
        {"BIND_CONFIG=::1:2375", "'::1:2375'"},
        {"BIND_CONFIG=[::1]:", "'[::1]:'"},
        {"BIND_CONFIG=[127.0.0.1]:80", "'[127.0.0.1]:80'"},
        {"BIND_CONFIG=unix@/run/a.sock", "'unix@/run/a.sock'"},
        {"BIND_CONFIG=tcp://127.0.0.1:80", "'tcp://127.0.0.1:80'"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        load_fails(bad[i].assign, "BIND_CONFIG entry ", bad[i].entry);

    char longpath[256] = "BIND_CONFIG=/";
    memset(longpath + 13, 'a', 107);
    longpath[13 + 107] = '\0';
    load_fails(longpath, "BIND_CONFIG entry ", NULL);
    longpath[13 + 106] = '\0';
    if (load_one(&c, longpath))
        CHECK_INT(strlen(c.binds[0].path), 107, "107-byte bind path");
}

static void test_logging(void)
{
    static const char *const levels[] = {"emerg",   "alert",  "crit", "err",
                                         "warning", "notice", "info", "debug"};
    for (int i = 0; i < 8; i++) {
        char assign[64];
        struct config c;
        snprintf(assign, sizeof(assign), "LOG_LEVEL=%s", levels[i]);
        if (load_one(&c, assign))
            CHECK_INT(c.log_level, i, assign);
        CHECK(strcmp(log_level_name((enum log_level)i), levels[i]) == 0, "name %d", i);
    }
    CHECK(strcmp(log_level_name((enum log_level)8), "unknown") == 0, "name 8");
    CHECK(strcmp(log_level_name((enum log_level) - 1), "unknown") == 0, "name -1");
    load_fails("LOG_LEVEL=xyz",
               "LOG_LEVEL=xyz is not one of: emerg, alert, crit, err, warning, "
               "notice, info, debug",
               NULL);
    static const char *const bad[] = {"LOG_LEVEL=INFO", "LOG_LEVEL=warn",  "LOG_LEVEL=error",
                                      "LOG_LEVEL=",     "LOG_LEVEL=info ", "LOG_LEVEL=6"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        load_fails(bad[i], "LOG_LEVEL=", "is not one of");

    struct config c;
    if (load_one(&c, "LOG_FORMAT=json"))
        CHECK_INT(c.log_json, 1, "json");
    if (load_one(&c, "LOG_FORMAT=text"))
        CHECK_INT(c.log_json, 0, "text");
    load_fails("LOG_FORMAT=JSON", "LOG_FORMAT=JSON is not one of: text, json", NULL);
    load_fails("LOG_FORMAT=", "LOG_FORMAT=", NULL);
}

static void test_duration_parse(void)
{
    static const struct {
        const char *s;
        long long ms; /* -1: error */
    } cases[] = {
        {"10", 10000},
        {"10s", 10000},
        {"250ms", 250},
        {"5m", 300000},
        {"1h", 3600000},
        {"0", 0},
        {"0ms", 0},
        {"0h", 0},
        {"007s", 7000},
        {"4294967295ms", 4294967295LL},
        {"4294967s", 4294967000LL},
        {"1193h", 4294800000LL},
        {"", -1},
        {"s", -1},
        {"ms", -1},
        {"10x", -1},
        {"1.5s", -1},
        {"-1", -1},
        {"+1", -1},
        {" 10", -1},
        {"10 ", -1},
        {"10S", -1},
        {"10sec", -1},
        {"10ms ", -1},
        {"4294967296ms", -1},
        {"4294968s", -1},
        {"1194h", -1},
        {"99999999999999999999999", -1},
        {"10d", -1},
        {"1h30m", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned out = 12345;
        int rc = config_duration_ms(cases[i].s, &out);
        CHECK_INT(rc, cases[i].ms < 0 ? -1 : 0, cases[i].s);
        if (cases[i].ms >= 0 && rc == 0)
            CHECK_INT(out, cases[i].ms, cases[i].s);
    }
}

static void test_durations(void)
{
    static const struct {
        const char *assign;
        size_t offset;
        unsigned ms;
    } ok[] = {
        {"REQUEST_TIMEOUT=30", offsetof(struct config, request_timeout_ms), 30000},
        {"CONNECT_TIMEOUT=500ms", offsetof(struct config, connect_timeout_ms), 500},
        {"RESPONSE_TIMEOUT=1h", offsetof(struct config, response_timeout_ms), 3600000},
        {"RESPONSE_TIMEOUT=0", offsetof(struct config, response_timeout_ms), 0},
        {"KEEPALIVE_TIMEOUT=2m", offsetof(struct config, keepalive_timeout_ms), 120000},
        {"STREAM_IDLE_TIMEOUT=0", offsetof(struct config, stream_idle_timeout_ms), 0},
        {"STREAM_IDLE_TIMEOUT=15m", offsetof(struct config, stream_idle_timeout_ms), 900000},
        {"SHUTDOWN_GRACE=3s", offsetof(struct config, grace_ms), 3000},
        {"SHUTDOWN_GRACE=168h", offsetof(struct config, grace_ms), 604800000},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct config c;
        if (load_one(&c, ok[i].assign))
            CHECK_INT(*(unsigned *)(void *)((char *)&c + ok[i].offset), ok[i].ms, ok[i].assign);
    }
    static const struct {
        const char *assign, *frag;
    } bad[] = {
        {"REQUEST_TIMEOUT=0", "REQUEST_TIMEOUT=0: must be more than 0"},
        {"CONNECT_TIMEOUT=0s", "CONNECT_TIMEOUT=0s: must be more than 0"},
        {"KEEPALIVE_TIMEOUT=0", "KEEPALIVE_TIMEOUT=0: must be more than 0"},
        {"SHUTDOWN_GRACE=0", "SHUTDOWN_GRACE=0: must be more than 0"},
        {"REQUEST_TIMEOUT=ten", "REQUEST_TIMEOUT=ten is not a duration"},
        {"RESPONSE_TIMEOUT=", "RESPONSE_TIMEOUT= is not a duration"},
        {"STREAM_IDLE_TIMEOUT=-1", "STREAM_IDLE_TIMEOUT=-1 is not a duration"},
        {"SHUTDOWN_GRACE=169h", "SHUTDOWN_GRACE=169h: must be at most 7 days"},
        {"RESPONSE_TIMEOUT=1193h", "RESPONSE_TIMEOUT=1193h: must be at most 7 days"},
        {"CONNECT_TIMEOUT=1194h", "CONNECT_TIMEOUT=1194h is not a duration"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        load_fails(bad[i].assign, bad[i].frag, NULL);
}

static void test_limits(void)
{
    struct config c;
    if (load_one(&c, "MAX_CONNECTIONS=1"))
        CHECK_INT(c.max_connections, 1, "MAX_CONNECTIONS=1");
    if (load_one(&c, "MAX_HEADER_BYTES=1024"))
        CHECK_INT(c.limits.max_head_bytes, 1024, "MAX_HEADER_BYTES=1024");
    if (load_one(&c, "MAX_HEADER_BYTES=1048576"))
        CHECK_INT(c.limits.max_head_bytes, 1048576, "MAX_HEADER_BYTES=1048576");
    if (load_one(&c, "MAX_REQUEST_LINE=16384"))
        CHECK_INT(c.limits.max_line_bytes, 16384, "MAX_REQUEST_LINE=16384");
    if (load_one(&c, "MAX_HEADER_COUNT=256"))
        CHECK_INT(c.limits.max_headers, HTTP_MAX_HEADERS_CAP, "MAX_HEADER_COUNT=256");
    if (load_one(&c, "MAX_BUFFER_BYTES=4096"))
        CHECK_INT(c.max_buffer_bytes, 4096, "MAX_BUFFER_BYTES=4096");
    if (load_one(&c, "UPSTREAM_KEEPALIVE=0"))
        CHECK(!c.upstream_keepalive, "UPSTREAM_KEEPALIVE=0");
    if (load_one(&c, "UPSTREAM_KEEPALIVE=1"))
        CHECK(c.upstream_keepalive, "UPSTREAM_KEEPALIVE=1");
    static const char *const bad[] = {
        "MAX_CONNECTIONS=0",
        "MAX_CONNECTIONS=abc",
        "MAX_CONNECTIONS=-1",
        "MAX_CONNECTIONS=",
        "MAX_CONNECTIONS=1000001",
        "MAX_CONNECTIONS=10k",
        "MAX_HEADER_BYTES=1023",
        "MAX_HEADER_BYTES=1048577",
        "MAX_HEADER_BYTES=99999999999999999999999",
        "MAX_REQUEST_LINE=255",
        "MAX_REQUEST_LINE= 8192",
        "MAX_HEADER_COUNT=0",
        "MAX_HEADER_COUNT=257",
        "MAX_BUFFER_BYTES=4095",
        "MAX_BUFFER_BYTES=16777217",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char name[32];
        size_t n = strcspn(bad[i], "=");
        snprintf(name, sizeof(name), "%.*s=", (int)n, bad[i]);
        load_fails(bad[i], name, "must be a whole number from");
    }
}

static void test_command_line(void)
{
    struct config c;
    char err[256];
    const char *env_on[] = {"CONTAINERS=1", "LOG_LEVEL=err", NULL};
    {
        const char *argv[] = {"--containers"};
        CHECK_INT(load(&c, NULL, 1, argv, err, sizeof(err)), 0, "bare last");
        CHECK_INT(c.policy.section[SEC_CONTAINERS], 1, "bare last on");
    }
    {
        const char *argv[] = {"--containers", "--post"};
        CHECK_INT(load(&c, NULL, 2, argv, err, sizeof(err)), 0, "two bare");
        CHECK(c.policy.section[SEC_CONTAINERS] && c.policy.post, "two bare on");
    }
    {
        const char *argv[] = {"--containers=0"};
        CHECK_INT(load(&c, env_on, 1, argv, err, sizeof(err)), 0, "override");
        CHECK_INT(c.policy.section[SEC_CONTAINERS], 0, "command line wins");
        CHECK_INT(c.log_level, SWLOG_ERR, "env still read");
    }
    {
        const char *argv[] = {"--containers", "0", "--log-level", "debug"};
        CHECK_INT(load(&c, env_on, 4, argv, err, sizeof(err)), 0, "separate values");
        CHECK_INT(c.policy.section[SEC_CONTAINERS], 0, "separate value 0");
        CHECK_INT(c.log_level, SWLOG_DEBUG, "separate log level");
    }
    {
        const char *argv[] = {"--socket-path", "/x.sock", "--BIND_CONFIG=127.0.0.1:9",
                              "--Allow-Start", "--post",  "-1"};
        CHECK_INT(load(&c, NULL, 6, argv, err, sizeof(err)), 0, "mixed");
        CHECK(strcmp(c.upstream.path, "/x.sock") == 0, "socket path %s", c.upstream.path);
        CHECK_INT(c.binds[0].port, 9, "bind from option");
        CHECK_INT(c.policy.allow[AL_START], 1, "--Allow-Start");
        CHECK_INT(c.policy.post, 1, "--post -1");
    }
    {
        const char *argv[] = {"--post=1", "--post=0"};
        CHECK_INT(load(&c, NULL, 2, argv, err, sizeof(err)), 0, "repeated");
        CHECK_INT(c.policy.post, 0, "last wins");
    }
    {
        const char *argv[] = {"--containers=true"};
        CHECK_INT(load(&c, NULL, 1, argv, err, sizeof(err)), 0, "warning via option");
        CHECK_INT(nwarnings, 1, "warning via option count");
        CHECK(strstr(warnings[0], "CONTAINERS=true is read as 0") != NULL, "%s", warnings[0]);
    }
    {
        const char *argv[] = {"--log-level="};
        CHECK_INT(load(&c, NULL, 1, argv, err, sizeof(err)), -1, "empty option value");
        CHECK(strstr(err, "LOG_LEVEL=") != NULL, "%s", err);
    }
    static const struct {
        const char *arg, *msg;
    } bad[] = {
        {"--foo", "unknown option --foo"},
        {"--foo=bar", "unknown option --foo"},
        {"--containers_x", "unknown option --containers_x"},
        {"--contain ers", "unknown option --contain ers"},
        {"--", "unexpected argument '--'"},
        {"-c", "unexpected argument '-c'"},
        {"check", "unexpected argument 'check'"},
        {"--=1", "unknown option --"},
        {"--a-very-long-option-name-that-is-not-ours", "unknown option --a-very-long-option"},
        {"--help", "unknown option --help"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *argv[] = {bad[i].arg};
        CHECK_INT(load(&c, NULL, 1, argv, err, sizeof(err)), -1, bad[i].arg);
        CHECK(strncmp(err, bad[i].msg, strlen(bad[i].msg)) == 0, "%s: '%s'", bad[i].arg, err);
    }
    {
        const char *argv[] = {"--post", "x", "y"};
        CHECK_INT(load(&c, NULL, 3, argv, err, sizeof(err)), -1, "stray value");
        CHECK(strcmp(err, "unexpected argument 'y'") == 0, "%s", err);
    }
    {
        const char *argv[70];
        for (int i = 0; i < 70; i++)
            argv[i] = "--post";
        CHECK_INT(load(&c, NULL, 64, argv, err, sizeof(err)), 0, "64 options");
        CHECK_INT(load(&c, NULL, 70, argv, err, sizeof(err)), -1, "70 options");
        CHECK(strstr(err, "too many options") != NULL, "%s", err);
    }
    {
        /* Errors are truncated, never overflowed. */
        const char *argv[] = {"--nope"};
        char small[8];
        memset(small, 'x', sizeof(small));
        CHECK_INT(load(&c, NULL, 1, argv, small, 5), -1, "small err");
        CHECK(strcmp(small, "unkn") == 0 && small[5] == 'x', "small err '%s'", small);
    }
}

static char report[32][256];
static int report_level[32];
static int nreport;

static void collect_line(int level, const char *line)
{
    if (nreport < 32) {
        snprintf(report[nreport], sizeof(report[0]), "%s", line);
        report_level[nreport] = level;
    }
    nreport++;
}

static int report_for(const char *const *env, int *nwarn)
{
    struct config c;
    char err[256];
    nreport = 0;
    *nwarn = 0;
    CHECK_INT(load_env(&c, env, err, sizeof(err)), 0, "report config");
    config_report(&c, collect_line);
    for (int i = 0; i < nreport && i < 32; i++)
        *nwarn += report_level[i] == SWLOG_WARNING;
    return nreport;
}

static bool report_has(int level, const char *text)
{
    for (int i = 0; i < nreport && i < 32; i++)
        if (report_level[i] == level && strstr(report[i], text))
            return true;
    return false;
}

static void test_report(void)
{
    int nwarn;
    report_for(NULL, &nwarn);
    CHECK_INT(nwarn, 0, "defaults: no warnings");
    CHECK(report_has(SWLOG_NOTICE, "open sections: EVENTS, PING, VERSION"), "default sections");
    CHECK(report_has(SWLOG_NOTICE, "methods: GET, HEAD only (POST=0)"), "default methods");
    CHECK(report_has(SWLOG_NOTICE, "container verbs allowed without POST=1: none"), "verbs");
    CHECK(report_has(SWLOG_NOTICE, "container reads under CONTAINERS=1: logs, top, changes, stats"),
          "reads");

    const char *none[] = {"EVENTS=0", "PING=0", "VERSION=0", NULL};
    report_for(none, &nwarn);
    CHECK(report_has(SWLOG_NOTICE, "open sections: none"), "no sections");

    const char *verbs[] = {"ALLOW_START=1",
                           "ALLOW_RESTARTS=1",
                           "ALLOW_UNPAUSE=1",
                           "POST=1",
                           "ALLOW_LOGS=0",
                           "ALLOW_ARCHIVE=1",
                           NULL};
    report_for(verbs, &nwarn);
    CHECK(report_has(SWLOG_NOTICE, "without POST=1: start, stop, restart, kill, unpause"), "verbs");
    CHECK(report_has(SWLOG_NOTICE, "methods: GET, HEAD, POST, PUT, DELETE (POST=1)"), "methods");
    CHECK(report_has(SWLOG_NOTICE, "under CONTAINERS=1: archive, top, changes, stats"), "reads");
    CHECK_INT(nwarn, 0, "ALLOW_ARCHIVE without CONTAINERS: no warning");

    /* Each root-equivalent combination gives exactly one warning; the flag alone gives none
     * where it needs POST=1 (or CONTAINERS=1) to matter. */
    static const struct {
        const char *a, *b, *text;
        bool alone_warns;
    } risks[] = {
        {"CONTAINERS=1", "POST=1", "CONTAINERS=1 with POST=1", false},
        {"EXEC=1", "POST=1", "EXEC=1 with POST=1", false},
        {"BUILD=1", "POST=1", "BUILD=1 with POST=1", false},
        {"PLUGINS=1", "POST=1", "PLUGINS=1 with POST=1", false},
        {"SESSION=1", "POST=1", "SESSION=1 with POST=1", false},
        {"GRPC=1", "POST=1", "GRPC=1 with POST=1", false},
        {"AUTH=1", "POST=1", "AUTH=1 with POST=1", false},
        {"SECRETS=1", "POST=1", "SECRETS=1 with POST=1", false},
        {"SERVICES=1", "POST=1", "SERVICES=1 with POST=1", false},
        {"IMAGES=1", "POST=1", "IMAGES=1 with POST=1", false},
        {"COMMIT=1", "POST=1", "COMMIT=1 with POST=1", false},
        {"VOLUMES=1", "POST=1", "VOLUMES=1 with POST=1", false},
        {"ALLOW_ARCHIVE=1", "CONTAINERS=1", "ALLOW_ARCHIVE=1 with CONTAINERS=1", false},
        {"ALLOW_EXPORT=1", "CONTAINERS=1", "ALLOW_EXPORT=1 with CONTAINERS=1", false},
        {"SWARM=1", "POST=0", "SWARM=1: GET /swarm returns the manager join token", true},
        {"CONFIGS=1", "POST=0", "CONFIGS=1: GET /configs/{id} returns the config data", true},
    };
    for (size_t i = 0; i < sizeof(risks) / sizeof(risks[0]); i++) {
        const char *both[] = {risks[i].a, risks[i].b, NULL};
        report_for(both, &nwarn);
        CHECK_INT(nwarn, 1, risks[i].a);
        CHECK(report_has(SWLOG_WARNING, risks[i].text), "%s: missing '%s'", risks[i].a,
              risks[i].text);
        const char *alone[] = {risks[i].a, NULL};
        report_for(alone, &nwarn);
        CHECK_INT(nwarn, risks[i].alone_warns ? 1 : 0, risks[i].a);
    }
    const char *cont[] = {"CONTAINERS=1", NULL};
    report_for(cont, &nwarn);
    CHECK(report_has(SWLOG_NOTICE, "environment"), "CONTAINERS env notice");

    const char *all[] = {
        "AUTH=1",  "BUILD=1",   "COMMIT=1",  "CONFIGS=1",       "CONTAINERS=1",   "EXEC=1",
        "GRPC=1",  "IMAGES=1",  "PLUGINS=1", "SECRETS=1",       "SERVICES=1",     "SESSION=1",
        "SWARM=1", "VOLUMES=1", "POST=1",    "ALLOW_ARCHIVE=1", "ALLOW_EXPORT=1", NULL};
    report_for(all, &nwarn);
    CHECK_INT(nwarn, 16, "every risk");
}

/* The default MAX_CONNECTIONS follows the descriptor limit: two a client, after a reserve. */
static void test_max_connections_default(void)
{
    CHECK_INT(config_max_connections_for(20000, 1), (20000 - 46) / 2, "20,000 descriptors");
    CHECK_INT(config_max_connections_for(1024, 1), (1024 - 46) / 2, "the usual soft limit");
    CHECK_INT(config_max_connections_for(1048576, 2), (1048576 - 47) / 2, "Docker's default");
    CHECK_INT(config_max_connections_for(40, 1), 1, "too few descriptors: still 1");
    CHECK_INT(config_max_connections_for(0, 0), 1, "unknown limit: still 1");
    CHECK_INT(config_max_connections_for(~0ULL, 1), CONFIG_MAX_CONNECTIONS, "unlimited: capped");
    for (unsigned long long n = 0; n < 5000; n += 7) {
        unsigned m = config_max_connections_for(n, 3);
        CHECK(m >= 1 && (m == 1 || 2ULL * m + 3 + 45 <= n), "%u clients for %llu descriptors", m,
              n);
    }
}

int main(void)
{
    test_max_connections_default();
    test_truthy();
    test_defaults();
    test_each_flag();
    test_flag_warnings();
    test_socket_path();
    test_disable_ipv6();
    test_bind_config();
    test_logging();
    test_duration_parse();
    test_durations();
    test_limits();
    test_command_line();
    test_report();
    return TEST_SUMMARY("config");
}

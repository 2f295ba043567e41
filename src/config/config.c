/* config — startup configuration (see config.h for the contract, docs/POLICY.md for the flags).
 *
 * Every value is looked up first among the command-line options, then through getenv_fn, so the
 * command line wins and tests can pass a fake environment. Nothing here allocates or does I/O.
 */
#include "config/config.h"
#include "base/errmsg.h"
#include "base/util.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define OPT_MAX 64      /* command-line options remembered */
#define OPT_NAME_MAX 32 /* longer names are unknown anyway */
#define DUR_MAX_MS (7u * 24 * 3600 * 1000)
#define DEFAULT_PORT 2375

static const char *const other_vars[] = {
    "POST",
    "SOCKET_PATH",
    "BIND_CONFIG",
    "METRICS_BIND",
    "DISABLE_IPV6",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "UPSTREAM_KEEPALIVE",
    "REQUEST_TIMEOUT",
    "CONNECT_TIMEOUT",
    "RESPONSE_TIMEOUT",
    "KEEPALIVE_TIMEOUT",
    "STREAM_IDLE_TIMEOUT",
    "SHUTDOWN_GRACE",
    "MAX_CONNECTIONS",
    "MAX_HEADER_BYTES",
    "MAX_REQUEST_LINE",
    "MAX_HEADER_COUNT",
    "MAX_BUFFER_BYTES",
    "MAX_BODY_BYTES",
    "MAX_HELD_BYTES",
};


struct option {
    char name[OPT_NAME_MAX];
    const char *value;
};

/* Where values come from: command-line options first, then the environment. */
struct source {
    struct option opt[OPT_MAX];
    size_t nopt;
    config_getenv_fn getenv_fn;
};



/* The first len bytes of a value as they may be shown in a message: printable ASCII, bounded. */
static const char *shown_n(const char *v, size_t len, char *buf, size_t cap)
{
    size_t n = 0, limit = cap > 4 ? cap - 4 : 0;
    for (; n < len && v[n] && n < limit; n++)
        buf[n] = (v[n] >= 0x20 && v[n] < 0x7f) ? v[n] : '?';
    if (n < len && v[n]) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static const char *shown(const char *v, char *buf, size_t cap)
{
    return shown_n(v, (size_t)-1, buf, cap);
}

static bool known_var(const char *name)
{
    for (size_t i = 0; i < SEC_COUNT; i++)
        if (strcmp(name, section_env[i]) == 0)
            return true;
    for (size_t i = 0; i < AL_COUNT; i++)
        if (strcmp(name, allow_env[i]) == 0)
            return true;
    for (size_t i = 0; i < NELEM(other_vars); i++)
        if (strcmp(name, other_vars[i]) == 0)
            return true;
    return false;
}

/* "--bind-config" → "BIND_CONFIG"; false if the name cannot be a variable of ours. */
static bool option_name(const char *s, size_t len, char out[OPT_NAME_MAX])
{
    if (len == 0 || len >= OPT_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        else if (ch == '-')
            ch = '_';
        else if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return false;
        out[i] = ch;
    }
    out[len] = '\0';
    return known_var(out);
}

static int parse_args(struct source *src, int argc, char **argv, char *err, size_t errlen)
{
    char buf[80];
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
            return errmsg_fail(err, errlen, "unexpected argument '%s'", shown(a, buf, sizeof(buf)));
        const char *eqs = strchr(a + 2, '=');
        size_t nlen = eqs ? (size_t)(eqs - a - 2) : strlen(a + 2);
        struct option o;
        if (!option_name(a + 2, nlen, o.name)) {
            return errmsg_fail(err, errlen, "unknown option --%s", shown_n(a + 2, nlen, buf, sizeof(buf)));
        }
        if (eqs)
            o.value = eqs + 1;
        else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
            o.value = argv[++i];
        else
            o.value = "1";
        if (src->nopt == OPT_MAX)
            return errmsg_fail(err, errlen, "too many options (at most %d)", OPT_MAX);
        src->opt[src->nopt++] = o;
    }
    return 0;
}

static const char *lookup(const struct source *src, const char *name)
{
    for (size_t i = src->nopt; i-- > 0;)
        if (strcmp(src->opt[i].name, name) == 0)
            return src->opt[i].value;
    return src->getenv_fn ? src->getenv_fn(name) : NULL;
}

bool config_truthy(const char *value)
{
    if (!value)
        return false;
    if (*value == '+' || *value == '-')
        value++;
    for (; *value >= '0' && *value <= '9'; value++)
        if (*value != '0')
            return true;
    return false;
}

static bool plain_integer(const char *v)
{
    if (*v == '+' || *v == '-')
        v++;
    if (!*v)
        return false;
    for (; *v; v++)
        if (*v < '0' || *v > '9')
            return false;
    return true;
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return false;
    }
    return *a == *b;
}

static bool false_word(const char *v)
{
    return ieq(v, "false") || ieq(v, "no") || ieq(v, "off") || ieq(v, "n");
}

static void load_flag(const struct source *src, const char *name, bool *dst, config_warn_fn warn)
{
    const char *v = lookup(src, name);
    if (!v)
        return;
    *dst = config_truthy(v);
    if (plain_integer(v) || !warn)
        return;
    char buf[80], msg[256];
    const char *hint = !*v                      ? "unset it for the default, or use 0 or 1"
                       : *dst || !false_word(v) ? "use 1"
                                                : "use 0";
    snprintf(msg, sizeof(msg), "%s=%s%s is read as %d (%s): Tecnativa flags take integers; %s",
             name, shown(v, buf, sizeof(buf)), *v ? "" : " (empty)", *dst ? 1 : 0,
             *dst ? "on" : "off", hint);
    warn(msg);
}

static void load_flags(const struct source *src, struct policy *p, config_warn_fn warn)
{
    policy_default(p);
    for (size_t i = 0; i < SEC_COUNT; i++)
        load_flag(src, section_env[i], &p->section[i], warn);
    for (size_t i = 0; i < AL_COUNT; i++)
        load_flag(src, allow_env[i], &p->allow[i], warn);
    load_flag(src, "POST", &p->post, warn);
}

/* Decimal digits only, with an upper bound; no sign, no spaces. */
static int parse_uint(const char *s, size_t len, unsigned long long max, unsigned long long *out)
{
    unsigned long long v = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > max)
            return -1;
    }
    *out = v;
    return 0;
}

static int parse_port(const char *s, size_t len, int *port)
{
    unsigned long long v;
    if (parse_uint(s, len, 65535, &v) < 0 || v == 0)
        return -1;
    *port = (int)v;
    return 0;
}

/* A literal IPv4 address, or an IPv6 one when v6; copied NUL-terminated into host. */
static bool ip_literal(const char *s, size_t len, bool v6, char host[64], bool *any)
{
    unsigned char addr[16];
    static const unsigned char zero[16];
    if (len == 0 || len >= 64)
        return false;
    memcpy(host, s, len);
    host[len] = '\0';
    if (inet_pton(v6 ? AF_INET6 : AF_INET, host, addr) != 1)
        return false;
    *any = memcmp(addr, zero, v6 ? 16 : 4) == 0;
    return true;
}

/* "[v6]:PORT", "v4:PORT" and, if allowed, "localhost:PORT"; *v6 tells which. */
static int parse_host_port(const char *s, size_t len, bool localhost_ok, char host[64], int *port,
                           bool *any, bool *v6)
{
    size_t hlen;
    const char *h = s;
    *v6 = len > 0 && s[0] == '[';
    if (*v6) {
        const char *close = memchr(s, ']', len);
        if (!close || (size_t)(close - s) + 1 >= len || close[1] != ':')
            return -1;
        h = s + 1;
        hlen = (size_t)(close - s) - 1;
    } else {
        const char *colon = memchr(s, ':', len);
        if (!colon)
            return -1;
        hlen = (size_t)(colon - s);
    }
    const char *p = h + hlen + (*v6 ? 2 : 1);
    if (parse_port(p, len - (size_t)(p - s), port) < 0)
        return -1;
    if (localhost_ok && !*v6 && hlen == 9 && memcmp(h, "localhost", 9) == 0) {
        memcpy(host, "localhost", 10);
        *any = false;
        return 0;
    }
    return ip_literal(h, hlen, *v6, host, any) ? 0 : -1;
}

static int load_upstream(const struct source *src, struct upstream_addr *up, char *err,
                         size_t errlen)
{
    char buf[80];
    const char *v = lookup(src, "SOCKET_PATH");
    memset(up, 0, sizeof(*up));
    if (!v || !*v)
        v = "/var/run/docker.sock";
    const char *path = strncmp(v, "unix://", 7) == 0 ? v + 7 : v;
    if (path[0] == '/') {
        size_t n = strlen(path);
        if (n >= sizeof(up->path))
            return errmsg_fail(err, errlen,
                        "SOCKET_PATH is too long (%zu bytes; a unix socket path holds %zu)", n,
                        sizeof(up->path) - 1);
        up->kind = UP_UNIX;
        memcpy(up->path, path, n + 1);
        return 0;
    }
    const char *hp = strncmp(v, "tcp://", 6) == 0 ? v + 6 : v;
    bool any, v6;
    if (path == v && parse_host_port(hp, strlen(hp), true, up->host, &up->port, &any, &v6) == 0) {
        up->kind = UP_TCP;
        return 0;
    }
    return errmsg_fail(err, errlen,
                "SOCKET_PATH=%s is not an absolute path, unix:///path or tcp://HOST:PORT "
                "(HOST an IP address literal or localhost)",
                shown(v, buf, sizeof(buf)));
}

/* Octal file mode, at most 07777. */
static int parse_mode(const char *s, size_t len, int *mode)
{
    int v = 0;
    if (len == 0 || len > 4)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '7')
            return -1;
        v = v * 8 + (s[i] - '0');
    }
    *mode = v;
    return 0;
}

struct words {
    struct {
        const char *p;
        size_t len;
    } w[4];
    size_t n;
};

/* Splits an entry on blanks; false if it has more than four words. */
static bool split_words(const char *s, size_t len, struct words *ws)
{
    ws->n = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t start = i;
        while (i < len && s[i] != ' ' && s[i] != '\t')
            i++;
        if (i == start)
            break;
        if (ws->n == NELEM(ws->w))
            return false;
        ws->w[ws->n].p = s + start;
        ws->w[ws->n].len = i - start;
        ws->n++;
    }
    return true;
}

static bool word_is(const struct words *ws, size_t i, const char *s)
{
    return ws->w[i].len == strlen(s) && memcmp(ws->w[i].p, s, ws->w[i].len) == 0;
}

static int bind_unix(const struct words *ws, struct bind *b)
{
    if (ws->w[0].len >= sizeof(b->path))
        return -1;
    b->kind = BIND_UNIX;
    memcpy(b->path, ws->w[0].p, ws->w[0].len);
    b->path[ws->w[0].len] = '\0';
    if (ws->n == 1)
        return 0;
    if (ws->n != 3 || !word_is(ws, 1, "mode"))
        return -1;
    return parse_mode(ws->w[2].p, ws->w[2].len, &b->mode);
}

static int bind_tcp(const struct words *ws, struct bind *b)
{
    const char *a = ws->w[0].p;
    size_t len = ws->w[0].len;
    bool v6 = false;
    b->kind = BIND_TCP;
    if (len > 0 && (a[0] == ':' || (len > 1 && a[0] == '*' && a[1] == ':'))) {
        size_t skip = a[0] == ':' ? 1 : 2; /* ":PORT" and "*:PORT": every IPv4 address */
        memcpy(b->host, "0.0.0.0", 8);
        b->host_any = true;
        if (parse_port(a + skip, len - skip, &b->port) < 0)
            return -1;
    } else if (parse_host_port(a, len, false, b->host, &b->port, &b->host_any, &v6) < 0) {
        return -1;
    }
    if (ws->n == 1)
        return 0;
    if (ws->n != 2 || !v6)
        return -1;
    if (word_is(ws, 1, "v4v6"))
        b->v6only = false;
    else if (word_is(ws, 1, "v6only"))
        b->v6only = true;
    else
        return -1;
    return 0;
}

static int parse_bind(const char *s, size_t len, struct bind *b)
{
    struct words ws;
    memset(b, 0, sizeof(*b));
    b->mode = -1;
    if (!split_words(s, len, &ws) || ws.n == 0)
        return -1;
    return ws.w[0].p[0] == '/' ? bind_unix(&ws, b) : bind_tcp(&ws, b);
}

static void bind_default(struct config *c)
{
    struct bind *b = &c->binds[0];
    memset(b, 0, sizeof(*b));
    b->kind = BIND_TCP;
    memcpy(b->host, c->disable_ipv6 ? "0.0.0.0" : "::", c->disable_ipv6 ? 8 : 3);
    b->host_any = true;
    b->port = DEFAULT_PORT;
    b->mode = -1;
    c->nbinds = 1;
    c->bind_default = true;
}

/* A comma-separated list of listeners, as BIND_CONFIG and METRICS_BIND take. */
static int parse_bind_list(const char *name, const char *v, struct bind *binds, size_t *n,
                           char *err, size_t errlen)
{
    *n = 0;
    for (const char *s = v;; s++) {
        const char *end = strchr(s, ',');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char buf[80];
        if (*n == CONFIG_MAX_BINDS)
            return errmsg_fail(err, errlen, "%s has more than %d entries", name, CONFIG_MAX_BINDS);
        if (parse_bind(s, len, &binds[*n]) < 0) {
            return errmsg_fail(err, errlen,
                        "%s entry '%s' is not one of IP:PORT, :PORT, [IPv6]:PORT [v4v6], "
                        "/path/to.sock [mode NNN]",
                        name, shown_n(s, len, buf, sizeof(buf)));
        }
        (*n)++;
        if (!end)
            return 0;
        s = end;
    }
}

static int load_binds(const struct source *src, struct config *c, char *err, size_t errlen)
{
    const char *v = lookup(src, "BIND_CONFIG");
    const char *d = lookup(src, "DISABLE_IPV6");
    const char *m = lookup(src, "METRICS_BIND");
    c->disable_ipv6 = d && (ieq(d, "1") || ieq(d, "true") || ieq(d, "yes"));
    if (m && *m && parse_bind_list("METRICS_BIND", m, c->metrics_binds, &c->nmetrics, err,
                                   errlen) < 0)
        return -1;
    if (!v || !*v) {
        bind_default(c);
        return 0;
    }
    c->bind_default = false;
    return parse_bind_list("BIND_CONFIG", v, c->binds, &c->nbinds, err, errlen);
}

int config_duration_ms(const char *s, unsigned *out)
{
    static const struct {
        const char *suffix;
        unsigned long long ms;
    } units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    size_t n = 0;
    unsigned long long v;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    if (n == 0 || parse_uint(s, n, UINT_MAX, &v) < 0)
        return -1;
    for (size_t i = 0; i < NELEM(units); i++) {
        if (strcmp(s + n, units[i].suffix) != 0)
            continue;
        if (v > UINT_MAX / units[i].ms)
            return -1;
        *out = (unsigned)(v * units[i].ms);
        return 0;
    }
    return -1;
}

struct duration_var {
    const char *name;
    unsigned *dst;
    unsigned def_ms;
    bool zero_ok; /* 0 means "never" */
};

static int load_duration(const struct source *src, const struct duration_var *d, char *err,
                         size_t errlen)
{
    char buf[80];
    const char *v = lookup(src, d->name);
    *d->dst = d->def_ms;
    if (!v)
        return 0;
    if (config_duration_ms(v, d->dst) < 0)
        return errmsg_fail(err, errlen, "%s=%s is not a duration (e.g. 10, 10s, 250ms, 5m, 1h)", d->name,
                    shown(v, buf, sizeof(buf)));
    if (*d->dst == 0 && !d->zero_ok)
        return errmsg_fail(err, errlen, "%s=%s: must be more than 0", d->name, shown(v, buf, sizeof(buf)));
    if (*d->dst > DUR_MAX_MS)
        return errmsg_fail(err, errlen, "%s=%s: must be at most 7 days", d->name,
                    shown(v, buf, sizeof(buf)));
    return 0;
}

static int load_durations(const struct source *src, struct config *c, char *err, size_t errlen)
{
    const struct duration_var vars[] = {
        {"REQUEST_TIMEOUT", &c->request_timeout_ms, 10000, false},
        {"CONNECT_TIMEOUT", &c->connect_timeout_ms, 10000, false},
        {"RESPONSE_TIMEOUT", &c->response_timeout_ms, 600000, true},
        {"KEEPALIVE_TIMEOUT", &c->keepalive_timeout_ms, 10000, false},
        {"STREAM_IDLE_TIMEOUT", &c->stream_idle_timeout_ms, 0, true},
        {"SHUTDOWN_GRACE", &c->grace_ms, 10000, false},
    };
    for (size_t i = 0; i < NELEM(vars); i++)
        if (load_duration(src, &vars[i], err, errlen) < 0)
            return -1;
    return 0;
}

struct number_var {
    const char *name;
    unsigned long long def, min, max;
};

static int load_number(const struct source *src, const struct number_var *nv,
                       unsigned long long *out, char *err, size_t errlen)
{
    char buf[80];
    const char *v = lookup(src, nv->name);
    *out = nv->def;
    if (!v)
        return 0;
    if (parse_uint(v, strlen(v), nv->max, out) < 0 || *out < nv->min)
        return errmsg_fail(err, errlen, "%s=%s: must be a whole number from %llu to %llu", nv->name,
                    shown(v, buf, sizeof(buf)), nv->min, nv->max);
    return 0;
}

static int load_limits(const struct source *src, struct config *c, char *err, size_t errlen)
{
    static const struct number_var vars[] = {
        {"MAX_CONNECTIONS", 0, 1, CONFIG_MAX_CONNECTIONS}, /* 0: unset, derived at start-up */
        {"MAX_HEADER_BYTES", 65536, 1024, 1048576},
        {"MAX_REQUEST_LINE", 8192, 256, 1048576},
        {"MAX_HEADER_COUNT", 100, 1, HTTP_MAX_HEADERS_CAP},
        {"MAX_BUFFER_BYTES", 262144, 4096, 16777216},
        {"MAX_BODY_BYTES", 1048576, 1024, 67108864},
        {"MAX_HELD_BYTES", 67108864, 65536, 4294967296ULL},
    };
    unsigned long long v[NELEM(vars)];
    for (size_t i = 0; i < NELEM(vars); i++)
        if (load_number(src, &vars[i], &v[i], err, errlen) < 0)
            return -1;
    c->max_connections = (unsigned)v[0];
    c->limits.max_head_bytes = (size_t)v[1];
    c->limits.max_line_bytes = (size_t)v[2];
    c->limits.max_headers = (size_t)v[3];
    c->max_buffer_bytes = (size_t)v[4];
    c->max_body_bytes = (size_t)v[5];
    c->max_held_bytes = (uint64_t)v[6];
    if (c->max_held_bytes < c->max_body_bytes)
        return errmsg_fail(err, errlen,
                           "MAX_HELD_BYTES=%llu is less than MAX_BODY_BYTES=%llu: no body could be "
                           "held whole",
                           v[6], v[5]);
    return 0;
}

static int load_logging(const struct source *src, struct config *c, char *err, size_t errlen)
{
    char buf[80];
    const char *v = lookup(src, "LOG_LEVEL");
    c->log_level = SWLOG_INFO;
    if (v) {
        if (log_level_from_name(v, &c->log_level) < 0)
            return errmsg_fail(err, errlen,
                        "LOG_LEVEL=%s is not one of: emerg, alert, crit, err, warning, notice, "
                        "info, debug",
                        shown(v, buf, sizeof(buf)));
    }
    v = lookup(src, "LOG_FORMAT");
    c->log_json = v && strcmp(v, "json") == 0;
    if (v && !c->log_json && strcmp(v, "text") != 0)
        return errmsg_fail(err, errlen, "LOG_FORMAT=%s is not one of: text, json",
                    shown(v, buf, sizeof(buf)));
    return 0;
}

unsigned config_max_connections_for(unsigned long long nofile, size_t nlisteners)
{
    /* stdio, the epoll set, the signalfd, a few for the odd descriptor (a log pipe, a connect in
     * progress), the listeners and the pool of idle engine connections. */
    unsigned long long reserve = 3 + 2 + 8 + nlisteners + 32;
    unsigned long long n = nofile > reserve ? (nofile - reserve) / 2 : 0;
    if (n < 1)
        return 1;
    return n > CONFIG_MAX_CONNECTIONS ? CONFIG_MAX_CONNECTIONS : (unsigned)n;
}

int config_load(struct config *c, int argc, char **argv, config_getenv_fn getenv_fn,
                config_warn_fn warn, char *err, size_t errlen)
{
    struct source src;
    memset(&src, 0, sizeof(src));
    src.getenv_fn = getenv_fn;
    memset(c, 0, sizeof(*c));
    if (err && errlen)
        err[0] = '\0';
    if (parse_args(&src, argc, argv, err, errlen) < 0)
        return -1;
    load_flags(&src, &c->policy, warn);
    const char *ka = lookup(&src, "UPSTREAM_KEEPALIVE");
    c->upstream_keepalive = !ka || !*ka || config_truthy(ka);
    if (load_upstream(&src, &c->upstream, err, errlen) < 0 ||
        load_binds(&src, c, err, errlen) < 0 || load_logging(&src, c, err, errlen) < 0 ||
        load_durations(&src, c, err, errlen) < 0 || load_limits(&src, c, err, errlen) < 0)
        return -1;
    return 0;
}

/* Appends ", name" (or "name" first) to a report line. */
static void append(char *line, size_t cap, const char *name)
{
    size_t n = strlen(line);
    snprintf(line + n, cap - n, "%s%s", line[n - 1] == ' ' ? "" : ", ", name);
}

static void report_sections(const struct config *c, config_line_fn out)
{
    char line[512] = "open sections: ";
    size_t empty = strlen(line);
    for (size_t i = 0; i < SEC_COUNT; i++)
        if (c->policy.section[i])
            append(line, sizeof(line), section_env[i]);
    if (strlen(line) == empty)
        append(line, sizeof(line), "none");
    out(SWLOG_NOTICE, line);
    out(SWLOG_NOTICE, c->policy.post ? "methods: GET, HEAD, POST, PUT, DELETE (POST=1)"
                                   : "methods: GET, HEAD only (POST=0)");
}

static void report_allow(const struct config *c, config_line_fn out)
{
    static const char *const verbs[] = {"start", "stop", "stop, restart, kill", "pause", "unpause"};
    static const char *const reads[] = {"archive", "export", "logs", "top", "changes", "stats"};
    char line[256] = "container verbs allowed without POST=1: ";
    size_t empty = strlen(line);
    for (size_t i = AL_START; i <= AL_UNPAUSE; i++)
        if (c->policy.allow[i])
            append(line, sizeof(line), verbs[i - AL_START]);
    if (strlen(line) == empty)
        append(line, sizeof(line), "none");
    out(SWLOG_NOTICE, line);
    snprintf(line, sizeof(line), "container reads under CONTAINERS=1: ");
    empty = strlen(line);
    for (size_t i = AL_ARCHIVE; i < AL_COUNT; i++)
        if (c->policy.allow[i])
            append(line, sizeof(line), reads[i - AL_ARCHIVE]);
    if (strlen(line) == empty)
        append(line, sizeof(line), "none");
    out(SWLOG_NOTICE, line);
}

struct risk {
    int sec;   /* section that must be open, or -1 */
    int allow; /* ALLOW_* flag that must be on, or -1 */
    bool need_post;
    const char *text;
};

static const struct risk risks[] = {
    {SEC_CONTAINERS, -1, true,
     "CONTAINERS=1 with POST=1: clients can create privileged containers with host mounts "
     "(root on the host)"},
    {SEC_EXEC, -1, true,
     "EXEC=1 with POST=1: clients can start exec sessions (with CONTAINERS=1: "
     "run any command, privileged, in any container)"},
    {SEC_BUILD, -1, true,
     "BUILD=1 with POST=1: clients can run arbitrary build steps on the "
     "daemon, including on the host network"},
    {SEC_SWARM, -1, false, "SWARM=1: GET /swarm returns the manager join token (swarm takeover)"},
    {SEC_CONFIGS, -1, false, "CONFIGS=1: GET /configs/{id} returns the config data"},
    {SEC_PLUGINS, -1, true,
     "PLUGINS=1 with POST=1: clients can install privileged plugins "
     "(root on the host)"},
    {SEC_SESSION, -1, true, "SESSION=1 with POST=1: clients can run BuildKit sessions"},
    {SEC_GRPC, -1, true,
     "GRPC=1 with POST=1: clients get BuildKit's control API (builds with "
     "host access)"},
    {SEC_CONTAINERS, AL_ARCHIVE, false,
     "ALLOW_ARCHIVE=1 with CONTAINERS=1: clients can read any file of any container"},
    {SEC_CONTAINERS, AL_EXPORT, false,
     "ALLOW_EXPORT=1 with CONTAINERS=1: clients can download any container's filesystem"},
    {SEC_AUTH, -1, true, "AUTH=1 with POST=1: clients can test registry credentials"},
    {SEC_SECRETS, -1, true, "SECRETS=1 with POST=1: clients can create and replace swarm secrets"},
    {SEC_SERVICES, -1, true,
     "SERVICES=1 with POST=1: clients can create privileged services with "
     "host mounts (root on the nodes)"},
    {SEC_IMAGES, -1, true,
     "IMAGES=1 with POST=1: clients can pull, load and retag images that "
     "other containers run"},
    {SEC_COMMIT, -1, true, "COMMIT=1 with POST=1: clients can overwrite images from containers"},
    {SEC_VOLUMES, -1, true,
     "VOLUMES=1 with POST=1: clients can create volumes that bind-mount "
     "host directories"},
};

void config_report(const struct config *c, config_line_fn out)
{
    const struct policy *p = &c->policy;
    report_sections(c, out);
    report_allow(c, out);
    if (p->section[SEC_CONTAINERS])
        out(SWLOG_NOTICE, "CONTAINERS=1: clients can read every container's environment "
                        "(GET /containers/{id}/json)");
    for (size_t i = 0; i < NELEM(risks); i++) {
        const struct risk *r = &risks[i];
        if (r->sec >= 0 && !p->section[r->sec])
            continue;
        if ((r->allow >= 0 && !p->allow[r->allow]) || (r->need_post && !p->post))
            continue;
        out(SWLOG_WARNING, r->text);
    }
}

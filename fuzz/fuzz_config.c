/* fuzz_config: the input is split on '\n' into values for BIND_CONFIG, SOCKET_PATH, a duration
 * variable, a flag, LOG_LEVEL, then command-line options. Checks that config_load() either
 * fails with a message or yields values inside their documented ranges, and that
 * config_duration_ms() and config_truthy() agree with straightforward reference versions. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define NPARTS 12

static const char *names[] = {"BIND_CONFIG", "SOCKET_PATH", "RESPONSE_TIMEOUT", "CONTAINERS",
                              "LOG_LEVEL"};
static const char *values[5];

static const char *fake_getenv(const char *name)
{
    for (size_t i = 0; i < 5; i++)
        if (strcmp(name, names[i]) == 0)
            return values[i];
    return NULL;
}

static void ignore_warning(const char *msg)
{
    REQUIRE(msg[0] != '\0' && strlen(msg) < 256);
}

static void ignore_line(int level, const char *line)
{
    REQUIRE(level >= SWLOG_EMERG && level <= SWLOG_DEBUG && line[0] != '\0');
}

static bool ref_truthy(const char *v)
{
    if (*v == '+' || *v == '-')
        v++;
    unsigned long long sum = 0;
    while (*v >= '0' && *v <= '9')
        sum |= (unsigned long long)(*v++ - '0');
    return sum != 0;
}

/* Reference: digits then one of "", ms, s, m, h; no overflow of unsigned. */
static int ref_duration(const char *s, unsigned long long *out)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0)
        return -1;
    unsigned long long v = 0; /* saturates just above UINT_MAX; leading zeros are fine */
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > UINT_MAX)
            v = (unsigned long long)UINT_MAX + 1;
    }
    const char *u = s + n;
    unsigned long long mul = !strcmp(u, "ms") ? 1
                             : (!strcmp(u, "") || !strcmp(u, "s")) ? 1000
                             : !strcmp(u, "m")                     ? 60000
                             : !strcmp(u, "h")                     ? 3600000
                                                                   : 0;
    if (mul == 0 || v > UINT_MAX || v * mul > UINT_MAX)
        return -1;
    *out = v * mul;
    return 0;
}

static void check_config(const struct config *c)
{
    REQUIRE(c->nbinds >= 1 && c->nbinds <= CONFIG_MAX_BINDS);
    for (size_t i = 0; i < c->nbinds; i++) {
        const struct bind *b = &c->binds[i];
        if (b->kind == BIND_TCP) {
            unsigned char addr[16];
            REQUIRE(b->port >= 1 && b->port <= 65535);
            REQUIRE(memchr(b->host, '\0', sizeof(b->host)) != NULL);
            REQUIRE(inet_pton(AF_INET, b->host, addr) == 1 ||
                    inet_pton(AF_INET6, b->host, addr) == 1);
        } else {
            REQUIRE(b->kind == BIND_UNIX && b->path[0] == '/');
            REQUIRE(strlen(b->path) < sizeof(b->path));
            REQUIRE(b->mode >= -1 && b->mode <= 07777);
        }
    }
    if (c->upstream.kind == UP_UNIX) {
        REQUIRE(c->upstream.path[0] == '/' && strlen(c->upstream.path) < CONFIG_PATH_MAX);
    } else {
        REQUIRE(c->upstream.kind == UP_TCP);
        REQUIRE(c->upstream.port >= 1 && c->upstream.port <= 65535 && c->upstream.host[0]);
    }
    REQUIRE(c->log_level >= SWLOG_EMERG && c->log_level <= SWLOG_DEBUG);
    REQUIRE(c->response_timeout_ms <= 7u * 24 * 3600 * 1000);
    REQUIRE(c->limits.max_headers >= 1 && c->limits.max_headers <= HTTP_MAX_HEADERS_CAP);
    config_report(c, ignore_line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    REQUIRE(copy);
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *parts[NPARTS];
    int n = 0;
    for (char *s = copy; n < NPARTS;) {
        parts[n++] = s;
        char *nl = strchr(s, '\n');
        if (!nl)
            break;
        *nl = '\0';
        s = nl + 1;
    }
    for (int i = 0; i < 5; i++)
        values[i] = i < n ? parts[i] : NULL;

    unsigned long long want;
    unsigned got = 0;
    if (values[2]) {
        int rc = config_duration_ms(values[2], &got);
        REQUIRE(rc == ref_duration(values[2], &want));
        REQUIRE(rc != 0 || got == want);
    }
    if (values[3])
        REQUIRE(config_truthy(values[3]) == ref_truthy(values[3]));

    struct config c;
    char err[256];
    memset(err, 'x', sizeof(err));
    int argc = n > 5 ? n - 5 : 0;
    if (config_load(&c, argc, parts + 5, fake_getenv, ignore_warning, err, sizeof(err)) == 0)
        check_config(&c);
    else
        REQUIRE(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
    free(copy);
    return 0;
}

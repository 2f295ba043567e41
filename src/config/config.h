/* config — startup configuration from the environment and the command line. Pure: the environment
 * is passed in as a lookup function, errors and warnings come back as text.
 *
 * Contract: config_load() fills struct config from Tecnativa's variable names (flags, SOCKET_PATH,
 * BIND_CONFIG, DISABLE_IPV6, LOG_LEVEL) and sockwarden's own (timeouts, limits). Every command-line
 * option "--name=value" (or "--name value") is the variable NAME (upper-cased, '-' → '_') and wins
 * over the environment; a bare "--name" means "1". Flag truthiness is HAProxy's `-m bool`.
 * Returns 0, or -1 with a message naming the offending variable in err.
 */
#ifndef SW_CONFIG_H
#define SW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "policy/policy.h"
#include "base/log.h"
#include "base/addr.h"

#define CONFIG_MAX_BINDS 8
#define CONFIG_MAX_CONNECTIONS 1000000



struct config {
    struct policy policy;
    struct upstream_addr upstream;    /* SOCKET_PATH: path, unix://path, tcp://HOST:PORT */
    bool upstream_keepalive;          /* UPSTREAM_KEEPALIVE (default 1): reuse engine connections */
    struct bind binds[CONFIG_MAX_BINDS];
    size_t nbinds;                    /* BIND_CONFIG; default [::]:2375 dual-stack */
    struct bind metrics_binds[CONFIG_MAX_BINDS];
    size_t nmetrics;                  /* METRICS_BIND; none by default */
    bool bind_default;                /* true when BIND_CONFIG was not given (fallback to IPv4 allowed) */
    bool disable_ipv6;                /* DISABLE_IPV6 ∈ {1,true,yes} (case-insensitive) */
    enum log_level log_level;         /* LOG_LEVEL, default info */
    bool log_json;                    /* LOG_FORMAT=json */
    struct http_limits limits;        /* MAX_HEADER_BYTES, MAX_REQUEST_LINE, MAX_HEADER_COUNT */
    unsigned request_timeout_ms;      /* REQUEST_TIMEOUT, default 10s: request head → 408 */
    unsigned connect_timeout_ms;      /* CONNECT_TIMEOUT, default 10s → 503 */
    unsigned response_timeout_ms;     /* RESPONSE_TIMEOUT, default 10m: response head → 504 */
    unsigned keepalive_timeout_ms;    /* KEEPALIVE_TIMEOUT, default 10s: idle client between requests */
    unsigned stream_idle_timeout_ms;  /* STREAM_IDLE_TIMEOUT, default 0 = never cut a stream */
    unsigned grace_ms;                /* SHUTDOWN_GRACE, default 10s */
    unsigned max_connections;         /* MAX_CONNECTIONS; 0 when not set: then derived from the
                                         descriptor limit at start-up (config_max_connections_for) */
    size_t max_buffer_bytes;          /* MAX_BUFFER_BYTES, per direction per connection, default 262144 */
    size_t max_body_bytes;            /* MAX_BODY_BYTES, default 1 MiB: a body held whole (inspected
                                         or filtered) per connection; larger → 413 / 502 */
    uint64_t max_held_bytes;          /* MAX_HELD_BYTES, default 64 MiB: all held bodies together → 503 */
};

typedef const char *(*config_getenv_fn)(const char *name);

/* warn(msg) is called once per warning (e.g. a flag value that is not a plain integer). */
typedef void (*config_warn_fn)(const char *msg);

/* argv holds only options (the sub-command, if any, is removed by the caller). */
int config_load(struct config *c, int argc, char **argv, config_getenv_fn getenv_fn,
                config_warn_fn warn, char *err, size_t errlen);

/* The default MAX_CONNECTIONS for a descriptor limit of nofile with nlisteners listeners: each client
 * may need two descriptors (its own and an engine connection), after a reserve for stdio, the
 * event loop, the listeners and the pool of idle engine connections. At least 1, at most
 * CONFIG_MAX_CONNECTIONS. */
unsigned config_max_connections_for(unsigned long long nofile, size_t nlisteners);

/* HAProxy `env(X) -m bool`: unset/empty false; optional sign, leading digits, non-zero is true. */
bool config_truthy(const char *value);

/* Parses "10", "10s", "250ms", "5m", "1h" into milliseconds. Returns 0 or -1. */
int config_duration_ms(const char *s, unsigned *out);

/* Writes the startup report (open sections, methods, root-equivalent warnings) line by line. */
typedef void (*config_line_fn)(int level, const char *line);
void config_report(const struct config *c, config_line_fn out);


#endif

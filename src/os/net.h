/* net — socket set-up: listeners from the bind list and connections to the upstream engine.
 *
 * Contract: all sockets are non-blocking and close-on-exec. net_listen() opens one listener per
 * bind (dual-stack [::] by default, falling back to 0.0.0.0 with a warning where IPv6 is missing)
 * and never leaves a half-open set behind on failure. net_upstream_connect() starts a connection;
 * net_upstream_diagnose() turns a connect errno into one line an operator can act on.
 */
#ifndef SW_NET_H
#define SW_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "base/addr.h"

struct listener {
    int fd;
    int is_unix;
    int metrics;    /* serves GET /metrics only (METRICS_BIND) */
    char name[160]; /* for logs: "[::]:2375", "/run/sockwarden.sock" */
};

/* Opens one listener per bind; returns n, or -1 with err filled. fallback: a dual-stack "[::]"
 * bind may fall back to 0.0.0.0 where IPv6 is unavailable (only for the default listener). */
int net_listen(const struct bind *binds, size_t n, bool fallback, struct listener *out, char *err,
               size_t errlen);

/* An IPv4 or IPv6 literal (or "localhost") and a port as a socket address; with any, "" or "::"
 * is the dual-stack wildcard. Returns 0, or -1 when host is not an address. */
int net_tcp_addr(const char *host, int port, bool any, struct sockaddr_storage *ss, socklen_t *sl);

/* Returns fd ≥ 0 and sets *in_progress; or -errno. */
int net_upstream_connect(const struct upstream_addr *u, int *in_progress);

/* Writes a one-line explanation of why connecting to u failed with errno e. */
void net_upstream_diagnose(const struct upstream_addr *u, int e, char *out, size_t cap);

/* TCP_NODELAY and keepalive probes; for TCP sockets only (listeners pass them on to accepted
 * sockets, so connections need no call of their own). */
void net_tune(int fd);

/* "ip:port" / "[ip6]:port" / "unix" for an address from accept(). */
void net_peer_name(const struct sockaddr_storage *ss, char *out, size_t cap);

#endif

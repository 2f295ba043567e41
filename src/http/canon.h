/* canon — request-target canonicaliser. Pure: no I/O, no allocation.
 *
 * Contract: from an origin-form request target, produce the path dockerd will route, so the
 * policy judges exactly what dockerd executes. dockerd (Go net/http + gorilla/mux) decodes the path
 * once, then answers 301 to any path that path.Clean would change. We decode once and refuse (400)
 * what dockerd would not execute as given or what could be read two ways:
 *   %2F, %00, malformed escapes, raw bytes outside visible ASCII, '#', dot-segments (raw or
 *   encoded), empty segments ("//"), a target not starting with '/', and a trailing '/' except on
 *   the two paths dockerd registers with one, "/networks/" and "/debug/pprof/" (also after a
 *   version prefix), which are kept as given.
 * The API version prefix "/v<digits and dots>" is split off once; the query is kept raw apart.
 * canon_format_target() re-serialises the judged form for forwarding (minimal percent-encoding).
 */
#ifndef SW_CANON_H
#define SW_CANON_H

#include <stdbool.h>
#include <stddef.h>

#define CANON_PATH_MAX 8192

struct canon {
    char path[CANON_PATH_MAX]; /* decoded, without the version prefix; always starts with '/' */
    size_t path_len;
    char version[32];          /* e.g. "1.41"; empty when the target had no prefix */
    size_t version_len;
    const char *query;         /* raw query after '?', points into the target; NULL if none */
    size_t query_len;
};

/* Returns 0 on success, -1 with *reason set (static string, e.g. "encoded slash in path"). */
int canon_target(const char *target, size_t len, struct canon *out, const char **reason);

/* Writes "/v<version><encoded path>[?query]" into buf; returns length, or -1 if cap is too small. */
int canon_format_target(const struct canon *c, char *buf, size_t cap);

#endif

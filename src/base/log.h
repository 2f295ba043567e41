/* log — operator log lines on stdout, one line per event, text or JSON.
 *
 * Contract: log_init() sets the threshold and format; log_msg() writes one line when level ≤
 * threshold. log_access() writes the per-request access line (at info). Values are escaped so that
 * a hostile request target can never forge a second log line. Credentials are never passed here.
 */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Levels as in syslog(3), with names of our own so <syslog.h> can be included beside this. */
enum log_level {
    SWLOG_EMERG, SWLOG_ALERT, SWLOG_CRIT, SWLOG_ERR, SWLOG_WARNING, SWLOG_NOTICE, SWLOG_INFO, SWLOG_DEBUG
};

/* "emerg" … "debug"; "unknown" for a value outside the enum. */
const char *log_level_name(enum log_level l);
/* The level named name (exactly as log_level_name spells it): 0, or -1 when there is none. */
int log_level_from_name(const char *name, enum log_level *out);

void log_init(enum log_level threshold, bool json);
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct access_entry {
    const char *client; /* "127.0.0.1:5555", "[::1]:5555" or "unix" */
    const char *method;
    const char *target; /* as the client sent it (may be truncated by the caller) */
    int status;         /* 0 when no response was sent */
    uint64_t bytes_out; /* bytes sent to the client */
    uint64_t duration_ms;
    const char *decision; /* "allow", "deny", "error" */
    const char *rule;     /* deciding rule, or the error reason */
};
void log_access(const struct access_entry *e);

/* Appends s to out as a JSON-string body / a safe text token (escaping quotes, control bytes,
 * non-ASCII). Returns the new length; never writes past cap-1 and always NUL-terminates. */
size_t log_escape(char *out, size_t len, size_t cap, const char *s, bool json);

#endif

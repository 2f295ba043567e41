/* errmsg — one helper shared by the configuration parsers: format an error message and fail.
 *
 * Contract: writes the printf-style message into err (when err is non-NULL and errlen > 0,
 * always NUL-terminated) and returns -1, so a parser can `return errmsg_fail(err, errlen, …)`.
 */
#ifndef SW_ERRMSG_H
#define SW_ERRMSG_H

#include <stddef.h>

__attribute__((format(printf, 3, 4))) int errmsg_fail(char *err, size_t errlen, const char *fmt, ...);

#endif

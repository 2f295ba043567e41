/* addr — the addresses sockwarden listens on and connects to, as plain data.
 *
 * Contract: a struct bind is one listener (TCP host and port, or a unix socket path and mode); a
 * struct upstream_addr is the engine (a unix socket path, or a TCP host and port). config fills
 * them; net opens them. No functions: this header exists so that net need not include config.
 */
#ifndef SW_ADDR_H
#define SW_ADDR_H

#include <stdbool.h>

#define CONFIG_PATH_MAX 108 /* sun_path */

enum bind_kind { BIND_TCP, BIND_UNIX };
struct bind {
    enum bind_kind kind;
    char host[64];       /* TCP: literal address, never empty (":PORT" → "0.0.0.0", default "::") */
    bool host_any;       /* ":PORT" or "[::]:PORT" or "0.0.0.0:PORT" */
    bool v6only;         /* only with the explicit "v6only" option; "[::]:PORT" is dual-stack */
    int port;
    char path[CONFIG_PATH_MAX]; /* UNIX */
    int mode;            /* UNIX: file mode, -1 = leave to umask */
};

enum upstream_kind { UP_UNIX, UP_TCP };
struct upstream_addr {
    enum upstream_kind kind;
    char path[CONFIG_PATH_MAX]; /* UP_UNIX */
    char host[64];              /* UP_TCP: literal IPv4/IPv6 or "localhost" */
    int port;
};

#endif

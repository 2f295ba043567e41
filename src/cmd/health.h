/* health — `sockwarden healthcheck`: a client of the running proxy, for container HEALTHCHECKs
 * (the image has no shell or curl).
 *
 * Contract: asks the first listener for GET /_ping (blocking, 3 s timeouts). Healthy (exit 0) when
 * the proxy answers 200; when PING=0 makes the proxy refuse /_ping, the proxy being up plus the
 * engine answering /_ping on SOCKET_PATH counts as healthy. Otherwise exit 1. One line says why.
 */
#ifndef SW_HEALTH_H
#define SW_HEALTH_H

#include <stdio.h>

#include "config/config.h"

int health_check(const struct config *c, FILE *out);

#endif

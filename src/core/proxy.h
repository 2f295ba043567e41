/* proxy — the I/O shell: one epoll loop, non-blocking sockets, one struct conn per client.
 *
 * Contract: proxy_run() serves the listeners until SIGTERM/SIGINT/SIGUSR1, then stops accepting,
 * lets requests in flight finish for up to the grace period, closes the rest and returns 0.
 * Each client request is parsed (http), canonicalised (canon), judged (policy), re-serialised and
 * forwarded to the upstream engine; the response is relayed as it arrives, with framing tracked so
 * keep-alive, pipelining and refusals stay in order. A raw tunnel is opened only when the route is
 * a hijack route AND the engine answered 101 (or the legacy raw-stream 200).
 */
#ifndef SW_PROXY_H
#define SW_PROXY_H

#include "config/config.h"
#include "os/net.h"

int proxy_run(const struct config *c, struct listener *ls, int nls);

#endif

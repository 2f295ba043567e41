/* gen — configuration generations: the settings requests are judged and timed by, immutable and
 * reference-counted, so a reload can install new settings while requests in flight finish under
 * the ones they started with.
 *
 * Contract: gen_new() copies a configuration into a new generation holding one reference (the
 * owner's). gen_ref() adds one; gen_unref() drops one and frees the generation with the last. A
 * generation is never changed after gen_new(). The proxy holds the current generation; a
 * connection pins the generation its current request started with and releases it when that
 * request ends. Settings that size the process (listeners, the engine address, confinement,
 * MAX_CONNECTIONS) are read from the start-up configuration, not from a generation.
 */
#ifndef SW_GEN_H
#define SW_GEN_H

#include <stdint.h>

#include "config/config.h"

struct gen {
    unsigned refs;
    uint64_t id; /* 1 for the start-up configuration, then one more per reload */
    struct config cfg;
};

/* Returns NULL when out of memory. */
struct gen *gen_new(const struct config *c, uint64_t id);
struct gen *gen_ref(struct gen *g);
void gen_unref(struct gen *g);

#endif

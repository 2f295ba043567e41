#include "core/gen.h"

#include <stdlib.h>

struct gen *gen_new(const struct config *c, uint64_t id)
{
    struct gen *g = malloc(sizeof *g);
    if (!g)
        return NULL;
    g->refs = 1;
    g->id = id;
    g->cfg = *c;
    return g;
}

struct gen *gen_ref(struct gen *g)
{
    g->refs++;
    return g;
}

void gen_unref(struct gen *g)
{
    if (g && --g->refs == 0)
        free(g);
}

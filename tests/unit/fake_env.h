/* A fake environment for config_load(): point fake_env at a NULL-terminated list of
 * "NAME=value" strings and pass fake_getenv as the lookup function. */
#ifndef SW_TEST_FAKE_ENV_H
#define SW_TEST_FAKE_ENV_H

#include <string.h>

static const char *const *fake_env;

static const char *fake_getenv(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *e = fake_env; e && *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    return NULL;
}

#endif

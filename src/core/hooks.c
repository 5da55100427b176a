/* hooks.c - default clock and randomness behind the per-client hooks. */
#include <time.h>

#include "core/client.h"

int64_t navoi__now_ms(const navoi_client *c)
{
    struct timespec ts;

    if (c && c->clock_fn)
        return c->clock_fn(c->clock_ud);
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int navoi__client_random(navoi_client *c, unsigned char *out, size_t n)
{
    if (c->random_fn)
        return c->random_fn(out, n, c->random_ud) == 0 ? NAVOI_OK : NAVOI_EUSER;
    return navoi__random_bytes(out, n);
}

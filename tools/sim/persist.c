/* persist.c - optional SQLite state (filled in later). */
#include "sim_internal.h"

int sim_db_open(sim_server *s, const char *path, char *err, size_t errlen)
{
    (void)s;
    (void)path;
    (void)err;
    (void)errlen;
    return 0;
}
void sim_db_close(sim_server *s)
{
    (void)s;
}
void sim_db_save_txn(sim_server *s, const sim_txn *t)
{
    (void)s;
    (void)t;
}
void sim_db_save_reqid(sim_server *s, const sim_reqid *r)
{
    (void)s;
    (void)r;
}
void sim_db_save_token(sim_server *s, const sim_token *t)
{
    (void)s;
    (void)t;
}

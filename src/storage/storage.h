/*
 * storage.h - internals of the storage module: the SQLite backend behind
 * navoi_outbox_open_sqlite(), the checks shared by every backend and the
 * opening of a built-in backend for a handle. The pipeline itself only
 * ever calls through navoi_storage_ops.
 */
#ifndef NAVOI_STORAGE_STORAGE_H
#define NAVOI_STORAGE_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "navoi/navoi.h"

/* Current schema version of the SQLite database (PRAGMA user_version). */
#define NAVOI__SQLITE_SCHEMA_VERSION 3

/* Opens or creates the database at path (mode 0600; "file:" URIs are
 * passed to SQLite as they are, which lets tests select a VFS) and fills
 * ops/userdata. ops->destroy closes it. On failure err gets the reason. */
int navoi__storage_sqlite_open(const char *path, navoi_storage_ops *ops, void **userdata_out,
                               char *err, size_t errlen);
/* Message of the last SQLite failure of a backend made above ("" if none). */
const char *navoi__storage_sqlite_errmsg(void *userdata);

/* navoi__storage_sqlite_open() as a navoi__storage_open_fn (client unused). */
int navoi__storage_sqlite_opener(const char *path, navoi_client *client, navoi_storage_ops *ops,
                                 void **userdata_out, char *err, size_t errlen);

/* Opens a built-in backend on target (SQLite path, PostgreSQL connection
 * string) and fills ops/userdata; client (borrowed, may be NULL) may
 * receive its log lines. On failure err gets the reason. */
typedef int (*navoi__storage_open_fn)(const char *target, navoi_client *client,
                                      navoi_storage_ops *ops, void **userdata_out, char *err,
                                      size_t errlen);
/* Builds a handle on an opened backend into out (a navoi_outbox ** or
 * navoi_sync **), which owns the backend once this succeeded. */
typedef int (*navoi__storage_make_fn)(void *out, navoi_client *client,
                                      const navoi_storage_ops *ops, void *userdata);
/* What the navoi_<handle>_open_<backend>() constructors share: opens target
 * with open_fn and builds the handle with make. NAVOI_EINVAL without client
 * or target; a failed open leaves "<who>: <reason>" on the client; when
 * make fails the backend is closed again. */
int navoi__storage_open_handle(void *out, navoi_client *client, const char *who,
                               navoi__storage_open_fn open_fn, const char *target,
                               navoi__storage_make_fn make);

/* NAVOI_OK when every function of a version-1 table is set. */
int navoi__storage_ops_check(const navoi_storage_ops *ops);
/* NAVOI_OK when the table is version 2 or later and every function of
 * version 2 is set as well (incoming invoices, named state, history scan). */
int navoi__storage_ops_check_v2(const navoi_storage_ops *ops);
/* Bytes of a table filled for version (older tables are shorter). */
size_t navoi__storage_ops_size(int version);

/* PostgreSQL backend (postgres.c, only when built with libpq): connects
 * with conninfo, migrates the schema and fills ops/userdata; client
 * (borrowed, may be NULL) receives the backend's log lines. On failure err
 * gets the reason, never the password. */
int navoi__storage_pg_open(const char *conninfo, navoi_client *client, navoi_storage_ops *ops,
                           void **userdata_out, char *err, size_t errlen);
/* Message of the last PostgreSQL failure ("" if none). */
const char *navoi__storage_pg_errmsg(void *userdata);
/* Fenced writes this handle attempted with a stale fence (no row changed). */
uint64_t navoi__storage_pg_rejections(void *userdata);

#endif

/*
 * status.h - the per-item status machine of NAV's asynchronous processing
 * (PROTOCOL.md 6.1): RECEIVED -> PROCESSING -> SAVED -> DONE, and ABORTED
 * from any non-final state. A client may observe any subset of these, so
 * skipping forward is legal; moving backwards or leaving a final state is not.
 */
#ifndef NAVOI_STATE_STATUS_H
#define NAVOI_STATE_STATUS_H

/* NAVOI_STATUS_* of "RECEIVED"... or NAVOI_STATUS_UNKNOWN. */
int navoi__status_from_name(const char *name);
/* 1 if from -> to is allowed (same state is allowed: a repeated poll). */
int navoi__status_transition_ok(int from, int to);
/* 1 for DONE and ABORTED. */
int navoi__status_is_final(int status);

#endif

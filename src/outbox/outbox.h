/*
 * outbox.h - internals of the outbox module: the item record kept in
 * storage, the outbox handle and the pieces shared by the pipeline files
 * (outbox.c: public API, enqueue, queries; step.c: the worker's units;
 * reconcile.c: resolving ambiguous attempts; worker.c: what the units
 * share; send.c: the manage request with a requestId chosen before
 * sending; record.c: the record format).
 *
 * How exactly-once is achieved (see step.c and reconcile.c for the details):
 *  - Each item is a small state machine (NAVOI_ITEM_*), persisted through
 *    navoi_storage_ops only. An item leaves PENDING only in a storage
 *    transaction that claims it (lease + fencing counter) and records
 *    "about to send": state SENDING, the requestId and the item's position
 *    in that exact batch. That commit happens before the HTTP request.
 *  - A SENDING item has no transactionId by definition. Whatever happens
 *    next (answer, timeout, crash, kill -9), the only ways out of SENDING
 *    are: NAV's answer with a transactionId (-> SENT), a synchronous
 *    rejection that proves nothing was stored (-> PENDING / FAILED), or
 *    the lost-transaction procedure of PROTOCOL.md 7.6 run no earlier than
 *    the lost-wait after the send: queryTransactionList over the window,
 *    queryTransactionStatus with returnOriginalRequest for every unknown
 *    transaction, and a match on the invoice numbers by position. Found ->
 *    adopt the transactionId; provably absent -> resubmit, reusing the
 *    same requestId so that an attempt NAV did accept after all turns into
 *    REQUEST_ID_NOT_UNIQUE (-> reconcile again) instead of a duplicate.
 *    A SENDING item is never resubmitted blindly, also not after restart.
 *  - A transactionId, once stored, is never overwritten; SENT items are
 *    only polled. INVOICE_NUMBER_NOT_UNIQUE for an item that had an
 *    ambiguous attempt is checked with queryInvoiceData: a valid instance
 *    means the earlier attempt was stored, and the item is DONE with it.
 *  - Every state change is conditional on the fencing counter, so a worker
 *    whose lease expired cannot overwrite a newer state.
 */
#ifndef NAVOI_OUTBOX_OUTBOX_H
#define NAVOI_OUTBOX_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "navoi/navoi.h"

/* Caps on caller-controlled sizes. */
#define NAVOI__OB_MAX_KEY 128
#define NAVOI__OB_MAX_REASON 1024
#define NAVOI__OB_MAX_MSGS 1000     /* validation messages kept per item */
#define NAVOI__OB_MAX_TEXT 4096     /* bytes kept per message field */
#define NAVOI__OB_MAX_RECORD (8u * 1024u * 1024u)
/* Batch body budget: NAV's 10 MiB limit minus room for the envelope. */
#define NAVOI__OB_MAX_BATCH_BYTES (9u * 1024u * 1024u)

typedef struct navoi__ob_msg {
    int kind, severity;
    char *code, *text, *tag, *value, *line;
} navoi__ob_msg;

typedef struct navoi__ob_item {
    char *key;
    int64_t fence;
    int op;              /* NAVOI_OP_CREATE/MODIFY/STORNO or NAVOI_OP_ANNUL */
    int state;           /* NAVOI_ITEM_* */
    char *number;        /* invoice number; for ANNUL the annulled number; never
                          * NULL in an item read from storage */
    char *orig_key;      /* original item (MODIFY/STORNO/ANNUL), NULL if none */
    char *hash;          /* SHA-256 of what was enqueued (duplicate check) */
    int64_t created, due;
    char *rid;           /* requestId of the current/last manage attempt */
    char *group;         /* storage group: rid while unsent/SENDING, txid after */
    int32_t pos;         /* index of the item in that attempt */
    int64_t sent;        /* when "about to send" was recorded */
    char *txid;          /* NAV's transactionId; never overwritten once set */
    int32_t tidx;
    int32_t attempts;    /* manage requests that carried the item */
    int32_t ambiguous;   /* attempts whose outcome was unknown */
    int32_t rid_conflicts; /* REQUEST_ID_NOT_UNIQUE after a reconcile said absent */
    int32_t polls;       /* status polls since the transactionId */
    int32_t failures;    /* transient failures in the current streak */
    int64_t ffail;       /* first failure of the current streak, 0 = none */
    int solo;            /* send alone (a batch failed as a whole) */
    int reuse;           /* resend with rid (a reconcile proved NAV lacks it) */
    int unresolved;      /* an attempt's outcome is still unknown */
    int dupcheck;        /* INVOICE_NUMBER_NOT_UNIQUE after ambiguity: check NAV */
    int ecode, ecat, ehttp;
    char *enav, *emsg;
    int annul_code;
    char *annul_reason;
    char *astatus;       /* annulmentVerificationStatus */
    navoi__ob_msg *msgs;
    size_t nmsgs;
} navoi__ob_item;

/* In-memory progress of one lost-transaction check (restartable: it only
 * reads from NAV, so losing it in a crash just repeats the queries). */
typedef struct navoi__ob_reconcile {
    char rid[32];
    int phase;           /* 0 none, 1 listing, 2 checking candidates */
    int32_t page;
    int64_t from_ms, to_ms;
    char **cands;
    size_t ncands, icand;
    char other[64];      /* a candidate with our numbers but other content */
} navoi__ob_reconcile;

struct navoi_outbox {
    navoi_client *client;
    navoi_storage_ops ops;
    void *ud;
    int is_sqlite;
    const char *(*backend_errmsg)(void *ud); /* detail of a built-in backend's failure */
    char errmsg[1024];
    char *halt;          /* halt reason, NULL when running */
    char worker[65];
    uint32_t lease_ms;
    uint32_t base_ms, cap_ms, jitter_pct;
    int64_t horizon_ms;
    uint32_t poll_first_ms, poll_cap_ms;
    uint32_t lost_wait_ms, lost_margin_ms;
    /* Bounds of one lost-transaction check (tests lower them): candidates
     * examined, pages of queryTransactionList read. */
    size_t rec_max_cands;
    int32_t rec_max_pages;
    uint32_t batch_max, min_interval_ms;
    int validation;      /* NAVOI_OUTBOX_VALIDATE_* */
    int64_t last_request_ms;
    int64_t idle_until;  /* claim_due found nothing claimable: next_due waits until then */
    int64_t pace_until;  /* shared pacing (ops.pace): the next slot is not before */
    navoi__ob_reconcile rec;
    /* log context while a step runs */
    navoi_log_fn user_log;
    void *user_log_ud;
    char log_corr[32];
    char log_keys[200];
    /* following the approval of DONE annulments (navoi_outbox_set_policy_annulment) */
    uint32_t ann_first_ms, ann_cap_ms;
    int64_t ann_horizon_ms;
};

/* record.c */
void navoi__ob_item_free(navoi__ob_item *it);
void navoi__ob_item_destroy(navoi__ob_item *it); /* free + navoi__free(it) */
int navoi__ob_record_write(const navoi__ob_item *it, navoi__buf *out);
int navoi__ob_record_read(const char *key, int64_t fence, const char *rec, size_t len,
                          navoi__ob_item **out);
int navoi__ob_set_str(char **dst, const char *src);
/* Replaces (or, with append, extends) the item's messages with those of
 * result i of txn; at most NAVOI__OB_MAX_MSGS are kept. */
int navoi__ob_copy_messages(navoi__ob_item *it, const navoi_txn *txn, size_t i, int append);

/* outbox.c */
int navoi__ob_fail(navoi_outbox *ob, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Pipeline log line: correlation id = the attempt's requestId, the message
 * names the item key(s). */
void navoi__ob_log(navoi_outbox *ob, int level, const char *corr, const char *keys,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Loads one item (NAVOI_ENOTFOUND if absent). */
int navoi__ob_load(navoi_outbox *ob, const char *key, navoi__ob_item **out);
/* Loads up to limit items of a selector into a growing array. */
typedef struct navoi__ob_list {
    navoi__ob_item **v;
    size_t n, cap;
    int rc;
} navoi__ob_list;
int navoi__ob_select(navoi_outbox *ob, int by, const char *value, int state, int64_t due_max,
                     size_t offset, size_t limit, navoi__ob_list *out);
void navoi__ob_list_free(navoi__ob_list *l);
/* Due items of a state (BY_DUE order). With ops.claim_due (several workers
 * on one storage) they come claimed for this worker, without those another
 * worker holds or is changing; otherwise they are only read. */
int navoi__ob_due(navoi_outbox *ob, int state, int64_t now, size_t limit, navoi__ob_list *out);
/* Writes an item (conditional on its fence, which is advanced) and a
 * history entry; must run inside begin/commit. lease: 1 keep/extend, 0 release. */
int navoi__ob_save(navoi_outbox *ob, navoi__ob_item *it, int lease, const char *history_fmt,
                   ...) __attribute__((format(printf, 4, 5)));
int navoi__ob_history(navoi_outbox *ob, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int navoi__ob_commit(navoi_outbox *ob);
int64_t navoi__ob_now(const navoi_outbox *ob);

/* send.c: one manage request (invoice or annulment) with the given
 * requestId; items' payloads in position order. Error detail is left on
 * the client exactly as the public operations leave it. */
typedef struct navoi__ob_send_item {
    int op;                  /* NAVOI_OP_* (ANNUL for annulments) */
    const char *xml;         /* invoice XML (not for ANNUL) */
    size_t len;
    const char *reference;   /* ANNUL: annulmentReference */
    int annul_code;
    const char *reason;
} navoi__ob_send_item;
int navoi__ob_send(navoi_client *c, int annul, const char *request_id,
                   const navoi__ob_send_item *items, size_t n, char txid_out[32]);

/* step.c: one unit of work (poll, else reconcile, else send). */
int navoi__ob_step(navoi_outbox *ob, int *did_work);

/* reconcile.c: one step of the lost-transaction check for the oldest due
 * SENDING attempt (*did = 1 when a request was made), and the
 * queryInvoiceData check of a number NAV called not unique after an
 * ambiguous attempt. */
int navoi__ob_unit_reconcile(navoi_outbox *ob, int64_t now, int *did);
int navoi__ob_dupcheck(navoi_outbox *ob, navoi__ob_item *it, int64_t now, int *did);
void navoi__ob_reconcile_reset(navoi__ob_reconcile *r);

/* worker.c: shared by the units of the worker. */
/* Retry delay after the n-th (1-based) consecutive transient failure. */
int64_t navoi__ob_backoff(const navoi_outbox *ob, int32_t n, double unit_random);
double navoi__ob_random(navoi_outbox *ob); /* uniform in [0,1), for jitter */
void navoi__ob_set_error(navoi__ob_item *it, int code, int cat, int http, const char *nav,
                         const char *msg);
void navoi__ob_client_error(navoi_outbox *ob, navoi__ob_item *it, int code); /* from the client */
void navoi__ob_clear_error(navoi__ob_item *it);
const char *navoi__ob_cat_name(int cat);
/* A transient failure: backoff, or NEEDS_ATTENTION past the horizon. */
void navoi__ob_transient(navoi_outbox *ob, navoi__ob_item *it, int64_t now, double u);
/* CONFIG/SECURITY: halts sending until navoi_outbox_resume(); NAVOI_ECONFIG. */
int navoi__ob_halt(navoi_outbox *ob, const char *keys);
/* Sets the correlation id and item keys of the log lines of this unit. */
void navoi__ob_log_context(navoi_outbox *ob, const char *corr, navoi__ob_item **v, size_t n);
/* Claims (lease + fence): all of v in one transaction, dropping items
 * another worker holds; one item (NAVOI_ESTATE if held); a group under
 * several workers (see worker.c). */
int navoi__ob_claim_all(navoi_outbox *ob, navoi__ob_item **v, size_t *n, int64_t now);
int navoi__ob_claim_one(navoi_outbox *ob, navoi__ob_item *it, int64_t now);
int navoi__ob_claim_group(navoi_outbox *ob, navoi__ob_item **v, size_t n, int64_t now,
                          int *got);
/* Shared pacing before a unit's requests: 1 go, 0 wait (*rc set on error). */
int navoi__ob_pace_ok(navoi_outbox *ob, int64_t now, uint32_t requests, int *rc);
/* Storage transaction: begin; finish = commit if rc is OK, else rollback. */
int navoi__ob_begin(navoi_outbox *ob);
int navoi__ob_finish(navoi_outbox *ob, int rc);
/* Keeps the items of l in state (and txid/rid when given), by position. */
void navoi__ob_filter(navoi__ob_list *l, int state, const char *txid, const char *rid);
/* s, or "" / dflt when s is NULL (optional fields in messages). */
const char *navoi__ob_str(const char *s);
const char *navoi__ob_str_or(const char *s, const char *dflt);
/* Makes the PENDING items that wait for original key due now. */
int navoi__ob_wake_dependents(navoi_outbox *ob, const char *key, int64_t now);

/* Following the approval of annulments (step.c). A DONE annulment whose
 * annulmentVerificationStatus is VERIFICATION_PENDING stays DONE and is
 * polled again until a primary user decides on NAV's web UI. Its next poll
 * time is stored as due - NAVOI__OB_FOLLOW_SHIFT, in the negative range:
 * every other DONE item has due 0, and BY_DUE (due_ms <= due_max) is the
 * selector every backend has, so a selection up to now - SHIFT finds the
 * followed items only, in poll order, through the existing (state, due_ms)
 * index, with no schema change and with third-party backends as they are. */
#define NAVOI__OB_FOLLOW_SHIFT ((int64_t)1 << 62)
#define NAVOI__OB_FOLLOWED(it) ((it)->state == NAVOI_ITEM_DONE && (it)->due < 0)
/* The time the item's next action is due, for operators (a followed
 * annulment's next poll unshifted). */
int64_t navoi__ob_due_time(const navoi__ob_item *it);

#endif

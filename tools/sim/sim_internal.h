/*
 * sim_internal.h - state shared by the simulator's modules: the parsed
 * configuration, the ledger (transactions, items, stored invoices), tokens,
 * faults and the helpers (buffer, XML output, crypto, time) that every
 * module uses. Everything here is guarded by sim_server.lock.
 */
#ifndef NAVOI_SIM_INTERNAL_H
#define NAVOI_SIM_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "sim.h"

/* Caps on input-controlled sizes. */
#define SIM_MAX_BODY 10485760u          /* PROTOCOL.md 1.4: >= 10 MiB is oversize */
#define SIM_MAX_INVOICE 15728640u       /* 15 MiB uncompressed invoice */
#define SIM_MAX_ITEMS 100
#define SIM_MAX_LINES 100000
#define SIM_MAX_BATCH 1000
#define SIM_CFG_MAX_LINE 1024
#define SIM_CFG_MAX_LINES 10000
#define SIM_CFG_MAX_USERS 256
#define SIM_CFG_MAX_TAXPAYERS 1024
#define SIM_MAX_ADDR 8
#define SIM_MAX_TXNS 100000
#define SIM_MAX_MSGS 64
#define SIM_CFG_MAX_TAXLIST 10000       /* tax numbers in one list setting */

/* ---- growable buffer ---- */
typedef struct sim_buf {
    char *data;
    size_t len, cap;
    int oom;
} sim_buf;
void sim_buf_add(sim_buf *b, const void *p, size_t n);
void sim_buf_puts(sim_buf *b, const char *s);
void sim_buf_printf(sim_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_buf_free(sim_buf *b);

/* ---- XML output: no indentation, UTF-8, escaped text ---- */
void sim_x_open(sim_buf *b, const char *name);
void sim_x_close(sim_buf *b, const char *name);
void sim_x_text(sim_buf *b, const char *text);
void sim_x_elem(sim_buf *b, const char *name, const char *text);
void sim_x_elem_opt(sim_buf *b, const char *name, const char *text);
void sim_x_elem_int(sim_buf *b, const char *name, long v);

/* ---- XML input helpers (on top of xml/parse.h) ---- */
/* Trimmed text of n, malloc'd ("" for an empty element, NULL for NULL n). */
char *sim_text(const xmlNode *n);
/* Trimmed text of the first child ns:name, NULL if absent. */
char *sim_child_text(const xmlNode *parent, const char *ns, const char *name);
/* Same, following a path of api-or-any-namespace local names. */
xmlNodePtr sim_path(const xmlNode *n, const char *ns, const char *const *names);
int sim_is_true(const char *s);

/* ---- crypto (OpenSSL EVP / zlib, independent of the library's) ---- */
int sim_sha3_512_hex(const void *p, size_t n, char out[129]);
int sim_sha512_hex(const void *p, size_t n, char out[129]);
void sim_base64_encode(const void *p, size_t n, sim_buf *out);
/* Strict: whitespace skipped, otherwise only the alphabet and '=' padding.
 * 0 or -1. */
int sim_base64_decode(const char *text, size_t n, sim_buf *out);
/* base64(AES-128-ECB/PKCS#7(token)) with the 16-byte key. */
int sim_token_encrypt(const char *token, const char *key16, sim_buf *out);
int sim_token_decrypt(const char *b64, const char *key16, char *out, size_t outlen);
/* 0 ok, -1 corrupt, -2 larger than max. */
int sim_gunzip(const void *p, size_t n, size_t max, sim_buf *out);
int sim_gzip(const void *p, size_t n, sim_buf *out);
void sim_random_alnum(char *out, size_t n); /* n chars of [0-9A-Z] + NUL */
void sim_uuid(char out[37]);

/* ---- time (UTC, locale-free) ---- */
void sim_fmt_ts(int64_t ms, char out[25]);   /* YYYY-MM-DDThh:mm:ss.mmmZ */
void sim_fmt_date(int64_t ms, char out[11]);  /* YYYY-MM-DD */
int sim_parse_ts(const char *s, int64_t *ms);   /* xs:dateTime, any offset */
int sim_parse_date(const char *s, int64_t *ms); /* YYYY-MM-DD */
int64_t sim_wall_ms(void);

/* ---- request versions (PROTOCOL.md 1.8) ---- */
/* "1.0" -> 10, "1.1" -> 11, "2.0" -> 20, "3.0" -> 30; 0 for anything else. */
int sim_version_code(const char *s);
/* 30 -> "3.0"; "3.0" for an unknown code. */
const char *sim_version_name(int code);
/* One bit per known version (for sets of versions); 0 for an unknown code. */
int sim_version_bit(int code);

/* ---- schemas ---- */
enum { SIM_SCHEMA_API = 0, SIM_SCHEMA_DATA, SIM_SCHEMA_ANNUL, SIM_SCHEMA_COUNT };
typedef struct sim_schemas sim_schemas;
int sim_schemas_load(const char *dir, sim_schemas **out, char *err, size_t errlen);
void sim_schemas_free(sim_schemas *s);
/* Validates; every error is appended to msgs as
 * "line N, column M: message" (up to max). Returns the error count, -1 on
 * internal failure. */
int sim_schemas_validate(const sim_schemas *s, int which, xmlDocPtr doc, char **msgs, int max);

/* ---- configuration ---- */
typedef struct sim_user {
    char login[16];
    char pwhash[129];
    char tax[9];
    char sign_key[65];
    char exch_key[17];
    int right_manage, right_query;
    int active;
    char lang[3];
    /* customer restriction (3.3.2 #10): NULL = every customer allowed */
    char (*customers)[9];
    int ncustomers;
} sim_user;

typedef struct sim_address {
    char type[8];       /* HQ / SITE / BRANCH */
    char *f[11];        /* countryCode, region, postalCode, city, streetName,
                           publicPlaceCategory, number, building, staircase,
                           floor, door (NULL = omitted) */
} sim_address;

typedef struct sim_taxpayer {
    char tax[9];
    char *name, *short_name;
    int registered, valid;
    char incorporation[16];
    char vat_code[2], county[3];
    char vat_group[9];
    char info_date[32];
    sim_address addr[SIM_MAX_ADDR];
    int naddr;
} sim_taxpayer;

struct sim_config {
    int64_t clock_offset_ms;
    int64_t token_ttl_ms;
    int64_t ts_tolerance_ms;
    int64_t delay_received_ms;    /* RECEIVED -> PROCESSING */
    int64_t delay_processing_ms;  /* PROCESSING -> final */
    int64_t reqid_retention_ms;
    int64_t hang_ms;
    int maintenance;
    int rate_limit;
    int page_size;
    int self_check;
    int ehash_decoded;
    int omit_error_header;
    int versions;             /* accepted requestVersions: sim_version_bit() mask */
    char (*invalid_tax)[9];   /* INVALID_CUSTOMER tax numbers */
    int ninvalid_tax;
    char *schemas_dir;
    char *state_file;
    char *tls_cert, *tls_key;
    sim_user *users;
    int nusers;
    sim_taxpayer *tps;
    int ntps;
    /* parser state */
    int section; /* 0 none, 1 settings, 2 user, 3 taxpayer */
};

/* ---- ledger ---- */
typedef struct sim_msg {
    int business;      /* 0 technical, 1 business */
    char *result;      /* ERROR / WARN / INFO */
    char *code;
    char *message;
} sim_msg;

typedef struct sim_msgs {
    sim_msg m[SIM_MAX_MSGS];
    int n;
} sim_msgs;

/* Digest of one invoice document (one batchInvoice part), from its XML. */
typedef struct sim_part {
    int batch_index;            /* 0 = not a batch */
    char *supplier, *supplier_gm, *supplier_name;
    char *customer, *customer_gm, *customer_name, *customer_status;
    char *category, *delivery_date, *payment_method, *payment_date, *appearance, *currency;
    char *net, *net_huf, *vat, *vat_huf;
    int has_ref;
    char *orig_number;
    int mwm, mod_index;
    int max_line;
    int *created;               /* lineNumberReference of CREATE lines */
    int ncreated;
    int line_modify;            /* some lineOperation is MODIFY */
    int ref_dup;                /* a lineNumberReference repeats */
    int nlines;
    int unknown_cases;          /* SIM_UNKNOWN_* bits: case UNKNOWN used (rules.c) */
} sim_part;

/* Where a vatExemption / vatOutOfScope / vatAmountMismatch case is UNKNOWN,
 * which is allowed only for amendments without a 3.0 history (3.3.2
 * #31-37): the decision needs the ledger, so rules.c only records it. */
#define SIM_UNKNOWN_LINE_EXEMPTION 0x01
#define SIM_UNKNOWN_SUMMARY_EXEMPTION 0x02
#define SIM_UNKNOWN_LINE_OUT_OF_SCOPE 0x04
#define SIM_UNKNOWN_SUMMARY_OUT_OF_SCOPE 0x08
#define SIM_UNKNOWN_LINE_MISMATCH 0x10
#define SIM_UNKNOWN_SUMMARY_MISMATCH 0x20

typedef struct sim_doc {
    char *number, *issue_date;
    int completeness;
    sim_part *parts;
    int nparts;
    int batch;
    char *annul_ref, *annul_code; /* annulment payloads */
} sim_doc;

typedef struct sim_item {
    int index;
    char op[8];
    char *data;          /* base64 text exactly as received (trimmed) */
    size_t data_len;
    char *ehash, *ehash_crypto;
    int status;
    sim_msgs msgs;
    /* decoded at receipt; decisions that need the ledger wait for processing */
    sim_doc *doc;
    char *tech_code;             /* decode/schema failure: code ... */
    char *tech_msg[8];           /* ... and up to 8 messages */
    char decoded_sha3[129];      /* SHA3-512 of the decoded invoice bytes */
    /* findings of the rules that need only the invoice (rules.c), taken
     * at receipt and reported at processing after the ledger's; NULL when
     * there are none, which is the common case */
    sim_msg *pre;
    int npre;
} sim_item;

#define SIM_ANNUL_NONE 0
#define SIM_ANNUL_NOT_VERIFIABLE 1
#define SIM_ANNUL_PENDING 2
#define SIM_ANNUL_DONE 3
#define SIM_ANNUL_REJECTED 4

typedef struct sim_txn {
    char id[17];
    char tax[9];
    char user[16];
    int version;         /* requestVersion code it was submitted with */
    int64_t ins_ms;
    int64_t extra_ms;
    int annulment;
    int compressed;
    int seeded;
    int notified;
    int finished;
    int annul_status;
    int64_t annul_decision_ms;
    char annul_user[16];
    sim_item *items;
    int nitems;
    long seq;
    struct sim_txn *next;
    struct sim_txn *hnext; /* bucket chain of the id index */
} sim_txn;

/* One accepted invoice document in the ledger. */
typedef struct sim_record {
    sim_txn *txn;
    sim_item *item;
    sim_doc *doc;    /* owned by item */
    sim_part *part;
    int valid;       /* 0 once technically annulled (approved) */
    struct sim_record *next;
    struct sim_record *hnext; /* bucket chain of the number index */
} sim_record;

typedef struct sim_token {
    char token[49];
    char tax[9];
    int64_t to_ms;
    int used;
    int version;   /* requestVersion code of the tokenExchange (tokens are per major) */
    struct sim_token *next;
} sim_token;

typedef struct sim_reqid {
    char tax[9];
    char id[31];
    int64_t ms;
    struct sim_reqid *next;
    struct sim_reqid *hnext; /* bucket chain of the requestId index */
} sim_reqid;

typedef struct sim_fault {
    int kind;
    int op;      /* -1 any */
    int count;
    int64_t ms;
} sim_fault;

#define SIM_MAX_FAULTS 32
#define SIM_MAX_CLIENTS 64

typedef struct sim_client {
    char addr[64];
    int64_t last_ms;
    int64_t delay_ms;
} sim_client;

struct sim_server {
    sim_config *cfg;
    sim_schemas *schemas;
    pthread_mutex_t lock;
    pthread_cond_t cond;  /* signalled on stop: wakes hung requests */
    int stopping;
    void *mhd;
    uint16_t port;
    char url[96];
    char err[512];
    char *tls_cert_pem, *tls_key_pem;
    int64_t admin_offset_ms;
    int maintenance;
    sim_txn *txns, *txns_tail;
    int ntxns;
    long seq;
    sim_record *records, *records_tail;
    sim_token *tokens;
    sim_reqid *reqids;
    sim_fault faults[SIM_MAX_FAULTS];
    int nfaults;
    sim_client clients[SIM_MAX_CLIENTS];
    long req_count[16];
    long req_total;
    long selfcheck_failures;
    void *db;
    /* Indexes over the lists above (built on first use, ledger.c), so that a
     * ledger of 100,000 invoices is not scanned on every request: records by
     * invoice number, transactions by id, requestIds by (tax, id); and the
     * prefix of s->txns that is known to be finished. */
    sim_record **rec_idx;
    size_t rec_nb, rec_n;
    sim_txn **txn_idx;
    size_t txn_nb, txn_n;
    sim_reqid **rid_idx;
    size_t rid_nb, rid_n;
    unsigned long rid_ops;
    sim_txn *adv_done;
};

/* ---- cross-module functions ---- */
int64_t sim_now_locked(sim_server *s);
const sim_user *sim_find_user(const sim_config *c, const char *login);
const sim_taxpayer *sim_find_taxpayer(const sim_config *c, const char *tax);
/* tax is in the INVALID_CUSTOMER list (invalidCustomers). */
int sim_tax_invalid(const sim_config *c, const char *tax);
/* A customer restriction allows this customer tax number (NULL = none given). */
int sim_user_allows_customer(const sim_user *u, const char *customer);

/* rules.c: the blocking (and a few WARN) business rules that only need the
 * invoice itself (PROTOCOL.md 7.3), run at receipt on the decoded
 * InvoiceData; findings go to it->pre. */
void sim_rules_invoice(sim_server *s, const sim_txn *t, sim_item *it, xmlNodePtr root);
void sim_item_pre_free(sim_item *it);

/* ledger.c */
/* First record whose doc->number hashes like number; follow ->hnext and
 * compare doc->number (several numbers share a bucket). */
sim_record *sim_records_by_number(sim_server *s, const char *number);
/* requestId index (request.c): 1 if (tax, id) was used within the retention. */
int sim_reqid_used_locked(sim_server *s, const char *tax, const char *id, int64_t now);
void sim_reqid_add_locked(sim_server *s, sim_reqid *r);
void sim_indexes_free(sim_server *s);
void sim_advance_locked(sim_server *s);
sim_txn *sim_txn_find(sim_server *s, const char *id);
/* Decodes one item at receipt (fills doc or tech_code). */
void sim_item_prepare(sim_server *s, sim_txn *t, sim_item *it);
void sim_doc_free(sim_doc *d);
void sim_txn_free(sim_txn *t);
void sim_txn_append(sim_server *s, sim_txn *t);
const char *sim_status_name(int st);
/* Supplier of a stored document (the taxpayer that reported it). */
const char *sim_rec_supplier(const sim_record *r);
/* Rebuilds records of a finished transaction loaded from disk. */
void sim_txn_restore_records(sim_server *s, sim_txn *t);
int sim_annul_decide_locked(sim_server *s, const char *txid, int approve, const char *user);

/* request.c: handles one POST body for operation op; fills status and body.
 * Returns 1 when the connection must be dropped after processing. */
typedef struct sim_response {
    int http;
    sim_buf body;
    int commit;            /* a state change happened (for drop-after-commit) */
    /* inputs from armed faults */
    int token_reject;
    int64_t extra_processing_ms;
} sim_response;
void sim_handle(sim_server *s, int op, const char *body, size_t len, const char *client,
                sim_response *r);

/* One request being answered (request.c, queries.c). */
typedef struct sim_req {
    sim_server *s;
    int op;
    xmlDocPtr doc;
    xmlNodePtr root, header, user, software;
    const sim_user *u;
    char tax[9];
    int version;           /* requestVersion code of this request */
    int64_t now;
    sim_response *r;
} sim_req;

#define SIM_XMLNS                                                                   \
    " xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\""                          \
    " xmlns:ns2=\"http://schemas.nav.gov.hu/OSA/3.0/api\""                          \
    " xmlns:ns3=\"http://schemas.nav.gov.hu/OSA/3.0/base\""

/* request.c: response envelope helpers */
void sim_resp_begin(sim_req *q, const char *root);
void sim_resp_end(sim_req *q, const char *root);
/* GeneralErrorResponse with HTTP status http; tech (may be NULL) adds
 * technicalValidationMessages ERROR/SCHEMA_VIOLATION. */
void sim_resp_error(sim_req *q, int http, const char *code, char **tech, int ntech);

/* queries.c: the eight query operations; each writes q->r. */
void sim_q_transaction_status(sim_req *q);
void sim_q_transaction_list(sim_req *q);
void sim_q_invoice_check(sim_req *q, int data);
void sim_q_invoice_digest(sim_req *q);
void sim_q_chain_digest(sim_req *q);
void sim_q_taxpayer(sim_req *q);

/* persist.c */
int sim_db_open(sim_server *s, const char *path, char *err, size_t errlen);
void sim_db_close(sim_server *s);
void sim_db_save_txn(sim_server *s, const sim_txn *t);
void sim_db_save_reqid(sim_server *s, const sim_reqid *r);
void sim_db_save_token(sim_server *s, const sim_token *t);

#endif

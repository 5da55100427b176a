/*
 * result.h - struct navoi_result: what a query response (other than
 * queryTransactionStatus) becomes once parsed. It holds
 *   - records: one per repeated response element (transaction,
 *     invoiceDigest, invoiceChainElement, the single invoiceDataResult or
 *     taxpayerData), each an ordered list of (path, value) fields;
 *   - meta: response-level values outside the records (currentPage,
 *     availablePage, invoiceCheckResult, infoDate, taxpayerValidity), as
 *     NAV sent them except that xs:boolean values are normalised to
 *     "true"/"false" (NAV may legally send "1"/"0");
 *   - content: decoded document bytes (queryInvoiceData's invoiceData).
 *
 * Flattening rule (how a record element becomes fields; response.c applies
 * it, navoi_result_get() documents it publicly):
 *   - every leaf element (one without element children) below the record
 *     element is one field; its value is the element's text with leading
 *     and trailing XML whitespace removed ("" for an empty element);
 *   - the field's path is the chain of local names from the record element
 *     (exclusive) down to the leaf, joined by '/'; namespaces and prefixes
 *     play no part (NAV mixes api and base elements inside one record);
 *   - when a local name occurs more than once among the element children
 *     of one parent, every one of those siblings gets "[n]" appended, n
 *     counting from 1 in document order ("newCreatedLines[1]/...",
 *     "newCreatedLines[2]/..."); a name that occurs once gets no suffix, so
 *     a list with a single entry has no "[1]";
 *   - each attribute of an element in the record is a field "path@name"
 *     (the element's path, '@', the attribute's local name), stored after
 *     the element's own value for a leaf and before its children otherwise;
 *   - fields are kept in document order.
 * Lookup (navoi_result_get) is exact, except that a "[1]" in the asked
 * path also matches a name without suffix: "taxpayerAddressItem[1]/..."
 * finds the only address of a taxpayer that has one, so callers can always
 * ask for the first entry of a list the same way.
 * Example: <invoiceChainElement><invoiceLines><maxLineNumber>3</...>
 * <newCreatedLines><lineNumberIntervalStart>4</...> gives
 * "invoiceLines/maxLineNumber" = "3",
 * "invoiceLines/newCreatedLines/lineNumberIntervalStart" = "4".
 *
 * Every size here is input-controlled, so each has a cap; exceeding one is
 * NAVOI_EPROTO (the response is not one NAV would send), never a silent cut.
 */
#ifndef NAVOI_OPS_RESULT_H
#define NAVOI_OPS_RESULT_H

#include <stddef.h>

/* Records per response: NAV pages at 100; 10,000 leaves room for any page
 * size it may adopt while bounding memory. */
#define NAVOI__RESULT_MAX_RECORDS 10000u
/* Fields per record: a taxpayer with a long address list is the largest
 * legitimate record (about a dozen fields per address). */
#define NAVOI__RESULT_MAX_FIELDS 20000u
/* Fields in the whole result, records and meta together. */
#define NAVOI__RESULT_MAX_TOTAL_FIELDS 1000000u
/* Bytes of one field value: NAV's longest texts are 1024 characters
 * (SimpleText1024), i.e. at most 4096 bytes of UTF-8. */
#define NAVOI__RESULT_MAX_VALUE 8192u
/* Bytes of one field path; the XML reader already caps depth at 64. */
#define NAVOI__RESULT_MAX_PATH 1024u

typedef struct navoi__field {
    char *name;
    char *value;
} navoi__field;

typedef struct navoi__record {
    navoi__field *fields;
    size_t count;
    size_t cap;
} navoi__record;

struct navoi_result {
    navoi__record *records;
    size_t count;
    size_t cap;
    navoi__record meta;
    size_t total_fields;
    char *content;      /* NUL-terminated for convenience; NULL when none */
    size_t content_len;
};

typedef struct navoi_result navoi_result;

/* Creates an empty result. NAVOI_OK or NAVOI_ENOMEM; *out NULL on failure. */
int navoi__result_new(navoi_result **out);

/* Appends an empty record and returns its position in *index_out.
 * NAVOI_OK, NAVOI_EPROTO (record cap), NAVOI_ENOMEM. */
int navoi__result_add_record(navoi_result *r, size_t *index_out);

/* Appends field (name, value) to record i (copies both).
 * NAVOI_OK, NAVOI_EINVAL (no such record), NAVOI_EPROTO (a cap),
 * NAVOI_ENOMEM. */
int navoi__result_add_field(navoi_result *r, size_t i, const char *name,
                            const char *value);

/* Sets meta field name (replacing an earlier value of the same name).
 * NAVOI_OK, NAVOI_EPROTO (a cap), NAVOI_ENOMEM. */
int navoi__result_set_meta(navoi_result *r, const char *name, const char *value);

/* Takes ownership of data (navoi__malloc'd, len bytes plus a NUL) as the
 * content, freeing an earlier one. */
void navoi__result_set_content(navoi_result *r, char *data, size_t len);

#endif

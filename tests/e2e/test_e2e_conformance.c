/* test_e2e_conformance.c - the simulator conformance run of PROTOCOL.md
 * section 10 (last paragraph), driven through the navoi client over HTTP:
 * each of NAV's 30 InvoiceData samples is submitted alone into an empty
 * ledger as its supplier (99999999, or 98765432 for the VAT-group sample),
 * amendments after their base invoices were seeded, and must pass every
 * blocking rule - except Teteladatok_modositasa.xml, whose
 * lineOperation=MODIFY must end ABORTED with INVALID_LINE_OPERATION.
 *
 * The client validates every sample and every built request against NAV's
 * XSDs before sending, and the simulator checks its own answers against
 * invoiceApi.xsd (selfCheck). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>

#include "e2e.h"
#include "testutil.h"

#define D "samples/data/"
#define BASE D "Eredeti_szamla_modositasokhoz.xml" /* ZZZ000001 */
#define BATCH1 D "Tobb_szamla_modositasa_egy_okirattal_alap_1.xml"
#define BATCH2 D "Tobb_szamla_modositasa_egy_okirattal_alap_2.xml"
#define BATCH3 D "Tobb_szamla_modositasa_egy_okirattal_alap_3.xml"

static const struct sample {
    const char *file;
    const char *number;      /* its invoiceNumber */
    int op;
    const char *seed[3];     /* base invoices reported before it */
    int group;               /* 1: supplier 98765432 */
    const char *abort_code;  /* NULL: must end DONE without errors */
} k_samples[] = {
    {D "Belfoldi_devizas_szamla.xml", "2021/00345", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Belfoldi_devizas_vegszamla_tobb_eloleg_tetel.xml", "2021/00345", NAVOI_OP_CREATE, {NULL},
     0, NULL},
    {D "Belfoldi_egyszerusitett_szamla.xml", "EGY0001", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Belfoldi_elolegszamla.xml", "AAA000567", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Belfoldi_elolegszamla_egysegar_nelkul.xml", "AAA000567", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Belfoldi_ertekesites_tobb_AFA_tipus.xml", "2021/000123A", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Belfoldi_termekertekesites.xml", "2021/000123", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Belfoldi_termekertekesites_AFA_csoportok_kozott.xml", "2021/000123", NAVOI_OP_CREATE,
     {NULL}, 1, NULL},
    {D "Belfoldi_termekertekesites_maganszemelynek.xml", "2021/000123", NAVOI_OP_CREATE, {NULL}, 0,
     NULL},
    {D "Belfoldi_termekertekesites_tetelbol_adott_engedmennyel.xml", "2021/000123",
     NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Belfoldi_vegszamla.xml", "AAA000568", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {BASE, "ZZZ000001", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Gyujtoszamla_1.xml", "2021/00235", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Gyujtoszamla_2.xml", "2021/00234", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Harmadik_orszagbeli_devizas_szamla.xml", "2021/00345", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Modositas_es_ervenytelenites_1.xml", "ZZZ000009", NAVOI_OP_MODIFY, {BASE}, 0, NULL},
    /* negates every line of the chain: the cancellation (STORNO) */
    {D "Modositas_es_ervenytelenites_2.xml", "ZZZ000047", NAVOI_OP_STORNO, {BASE}, 0, NULL},
    {D "Tagorszagi_devizas_szamla.xml", "2021/00345", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Termekdijas_szamla.xml", "201900099", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    /* predates 3.0's rule that lines are only ever created (7.3 #60) */
    {D "Teteladatok_modositasa.xml", "ZZZ000005", NAVOI_OP_MODIFY, {BASE}, 0,
     "INVALID_LINE_OPERATION"},
    {D "Teves_termek_helyesbitese.xml", "ZZZ000002", NAVOI_OP_MODIFY, {BASE}, 0, NULL},
    {D "Teves_termek_helyesbitese_20.xml", "ZZZ000002", NAVOI_OP_MODIFY, {BASE}, 0, NULL},
    {D "Teves_termek_helyesbitese_21.xml", "ZZZ000003", NAVOI_OP_MODIFY, {BASE}, 0, NULL},
    /* the batch sample has no lines: MODIFY, as STORNO needs lines */
    {D "Tobb_szamla_modositasa_egy_okirattal.xml", "SZ00004", NAVOI_OP_MODIFY,
     {BATCH1, BATCH2, BATCH3}, 0, NULL},
    {BATCH1, "SZ00001", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {BATCH2, "SZ00002", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {BATCH3, "SZ00003", NAVOI_OP_CREATE, {NULL}, 0, NULL},
    {D "Tobbszoros_modositas_1.xml", "ZZZ000009", NAVOI_OP_MODIFY, {BASE}, 0, NULL},
    /* no lines: MODIFY */
    {D "Tobbszoros_modositas_2.xml", "ZZZ000015", NAVOI_OP_MODIFY, {BASE}, 0, NULL},
    {D "Uj_kozlekedesi_eszkoz_export.xml", "2021/00345", NAVOI_OP_CREATE, {NULL}, 0, NULL},
};
#define NSAMPLES ((int)(sizeof k_samples / sizeof k_samples[0]))

START_TEST(sample_alone)
{
    const struct sample *smp = &k_samples[_i];
    const e2e_user *u = smp->group ? &e2e_group : &e2e_seller;
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, u, 1);
    navoi_invoice *inv;
    navoi_txn *t = NULL;
    sim_ledger_entry e;
    int k;

    for (k = 0; k < 3 && smp->seed[k]; k++) {
        size_t len;
        char err[256], *xml = nt_read_nav(smp->seed[k], &len);
        ck_assert_msg(sim_seed_invoice(s, xml, len, err, sizeof err) == 0, "seed %s: %s",
                      smp->seed[k], err);
        free(xml);
    }
    inv = e2e_nav_invoice(c, smp->file, smp->op);
    ck_assert_str_eq(navoi_invoice_number(inv), smp->number);
    e2e_ok(c, navoi_manage_invoice(c, &inv, 1, 0, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(c, t, 0);
    /* the batch sample reports one result per batchIndex */
    ck_assert_uint_ge(navoi_txn_item_count(t), 1);
    if (smp->abort_code) {
        ck_assert_int_eq(navoi_txn_item_status(t, 0), NAVOI_STATUS_ABORTED);
        ck_assert_msg(e2e_txn_has_code(t, 0, smp->abort_code), "%s: no %s", smp->file,
                      smp->abort_code);
    } else {
        size_t i;
        for (i = 0; i < navoi_txn_item_count(t); i++)
            e2e_assert_done_clean(t, i, smp->file);
    }
    sim_ledger_get(s, u->tax, smp->number, &e);
    ck_assert_int_eq(e.submitted, 1);
    ck_assert_int_eq(e.accepted, smp->abort_code ? 0 : 1);
    navoi_txn_free(t);
    ck_assert_int_eq(sim_selfcheck_failures(s), 0);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

START_TEST(batch_results_per_document)
{
    /* the batch sample modifies SZ00001..3 in one document: one result per
     * batchIndex (PROTOCOL.md 5.3), all DONE */
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, &e2e_seller, 1);
    const char *bases[3] = {BATCH1, BATCH2, BATCH3};
    navoi_invoice *inv;
    navoi_txn *t = NULL;
    navoi_result *r = NULL;
    int k;

    for (k = 0; k < 3; k++) {
        size_t len;
        char err[256], *xml = nt_read_nav(bases[k], &len);
        ck_assert_msg(sim_seed_invoice(s, xml, len, err, sizeof err) == 0, "seed: %s", err);
        free(xml);
    }
    inv = e2e_nav_invoice(c, D "Tobb_szamla_modositasa_egy_okirattal.xml", NAVOI_OP_MODIFY);
    e2e_ok(c, navoi_manage_invoice(c, &inv, 1, NAVOI_MANAGE_COMPRESS, &t));
    navoi_invoice_free(inv);
    e2e_wait_final(c, t, 0);
    ck_assert_uint_eq(navoi_txn_item_count(t), 3);
    for (k = 0; k < 3; k++) {
        ck_assert_int_eq(navoi_txn_item_index(t, (size_t)k), 1);
        ck_assert_int_eq(navoi_txn_item_batch_index(t, (size_t)k), k + 1);
        e2e_assert_done_clean(t, (size_t)k, "batch");
    }
    navoi_txn_free(t);
    /* each base now has a chain of two */
    for (k = 0; k < 3; k++) {
        char num[16];
        snprintf(num, sizeof num, "SZ0000%d", k + 1);
        e2e_ok(c, navoi_query_invoice_chain_digest(c, num, NAVOI_OUTBOUND, NULL, 1, &r));
        ck_assert_uint_eq(navoi_result_count(r), 2);
        navoi_result_free(r);
    }
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

/* PROTOCOL.md 10: all samples into one ledger, one request each and in
 * file order, the creations first. Repeated numbers of one supplier are
 * refused (the 2021/000123 of 98765432 is another supplier's); of the
 * amendments of ZZZ000001 only the first with modificationIndex 1
 * (ZZZ000009, line 6) and the first with 2 (ZZZ000047, lines 7-12) pass,
 * the later ones collide on the index and, where they create lines 6-12
 * again, on the line. Expected codes per sample; "" = DONE. */
static const struct outcome {
    int sample;          /* index into k_samples */
    const char *codes[3];
} k_one_ledger[] = {
    {0, {""}},
    {1, {"INVOICE_NUMBER_NOT_UNIQUE"}},
    {2, {""}},
    {3, {""}},
    {4, {"INVOICE_NUMBER_NOT_UNIQUE"}},
    {5, {""}},
    {6, {""}},
    {7, {""}},
    {8, {"INVOICE_NUMBER_NOT_UNIQUE"}},
    {9, {"INVOICE_NUMBER_NOT_UNIQUE"}},
    {10, {""}},
    {11, {""}},
    {12, {""}},
    {13, {""}},
    {14, {"INVOICE_NUMBER_NOT_UNIQUE"}},
    {17, {"INVOICE_NUMBER_NOT_UNIQUE"}},
    {18, {""}},
    {24, {""}},
    {25, {""}},
    {26, {""}},
    {29, {"INVOICE_NUMBER_NOT_UNIQUE"}},
    /* amendments */
    {15, {""}},
    {16, {""}},
    {19, {"MODIFICATION_INDEX_NOT_UNIQUE", "INVALID_LINE_OPERATION"}},
    {20, {"MODIFICATION_INDEX_NOT_UNIQUE", "INVOICE_LINE_ALREADY_EXISTS"}},
    /* ZZZ000002 again, but its first report was refused: the number is free */
    {21, {"MODIFICATION_INDEX_NOT_UNIQUE", "INVOICE_LINE_ALREADY_EXISTS"}},
    {22, {"MODIFICATION_INDEX_NOT_UNIQUE", "INVOICE_LINE_ALREADY_EXISTS"}},
    {27, {"INVOICE_NUMBER_NOT_UNIQUE", "MODIFICATION_INDEX_NOT_UNIQUE",
          "INVOICE_LINE_ALREADY_EXISTS"}},
    {28, {"MODIFICATION_INDEX_NOT_UNIQUE"}},
    {23, {""}},
};

START_TEST(samples_one_ledger)
{
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *seller = e2e_client(s, &e2e_seller, 1);
    navoi_client *group = e2e_client(s, &e2e_group, 1);
    size_t i, n = sizeof k_one_ledger / sizeof k_one_ledger[0];
    int seen[NSAMPLES];

    memset(seen, 0, sizeof seen);
    for (i = 0; i < n; i++) {
        const struct outcome *o = &k_one_ledger[i];
        const struct sample *smp = &k_samples[o->sample];
        navoi_client *c = smp->group ? group : seller;
        navoi_invoice *inv = e2e_nav_invoice(c, smp->file, smp->op);
        navoi_txn *t = NULL;
        size_t k;
        seen[o->sample]++;
        e2e_ok(c, navoi_manage_invoice(c, &inv, 1, 0, &t));
        navoi_invoice_free(inv);
        e2e_wait_final(c, t, 0);
        if (!o->codes[0][0]) {
            for (k = 0; k < navoi_txn_item_count(t); k++)
                e2e_assert_done_clean(t, k, smp->file);
        } else {
            ck_assert_msg(navoi_txn_item_status(t, 0) == NAVOI_STATUS_ABORTED, "%s: %s", smp->file,
                          navoi_status_name(navoi_txn_item_status(t, 0)));
            for (k = 0; k < 3 && o->codes[k]; k++)
                ck_assert_msg(e2e_txn_has_code(t, 0, o->codes[k]), "%s: no %s", smp->file,
                              o->codes[k]);
            /* and no error beyond those */
            for (k = 0; k < navoi_txn_message_count(t, 0); k++) {
                const char *code = NULL;
                int sev = 0, j, known = 0;
                ck_assert_int_eq(navoi_txn_message(t, 0, k, NULL, &sev, &code, NULL), NAVOI_OK);
                for (j = 0; j < 3 && o->codes[j]; j++)
                    known |= !strcmp(code, o->codes[j]);
                ck_assert_msg(known || sev != NAVOI_SEVERITY_ERROR, "%s: unexpected %s",
                              smp->file, code);
            }
        }
        navoi_txn_free(t);
    }
    /* every sample was sent exactly once */
    for (i = 0; i < (size_t)NSAMPLES; i++)
        ck_assert_msg(seen[i] == 1, "%s sent %d times", k_samples[i].file, seen[i]);
    ck_assert_int_eq(sim_selfcheck_failures(s), 0);
    e2e_client_free(group);
    e2e_client_free(seller);
    sim_free(s);
}
END_TEST

/* PROTOCOL.md 3.4 caveat: the three invoices inside NAV's manageInvoice.xml
 * request sample use a pre-release element and must end ABORTED with
 * SCHEMA_VIOLATION. The client has no schema directory, so it sends them. */
START_TEST(api_sample_payloads_schema_violation)
{
    sim_server *s = e2e_sim_start(NULL);
    navoi_client *c = e2e_client(s, &e2e_seller, 0);
    char *req = nt_read_nav("samples/api/manageInvoice.xml", NULL), *p = req;
    navoi_invoice *inv[3];
    navoi_txn *t = NULL;
    size_t n = 0, k;

    while (n < 3 && (p = strstr(p, "<invoiceData>")) != NULL) {
        char *b64 = p + strlen("<invoiceData>"), *end = strstr(b64, "</invoiceData>");
        size_t blen;
        unsigned char *xml;
        int len;
        ck_assert_ptr_nonnull(end);
        blen = (size_t)(end - b64);
        xml = malloc(blen);
        ck_assert_ptr_nonnull(xml);
        len = EVP_DecodeBlock(xml, (const unsigned char *)b64, (int)blen);
        ck_assert_int_gt(len, 0);
        /* EVP_DecodeBlock counts the padding as zero bytes */
        len -= (end[-1] == '=') + (end[-2] == '=');
        e2e_ok(c, navoi_invoice_new(&inv[n], c, (const char *)xml, (size_t)len, NAVOI_OP_CREATE));
        free(xml);
        n++;
        p = end;
    }
    free(req);
    ck_assert_uint_eq(n, 3);
    e2e_ok(c, navoi_manage_invoice(c, inv, 3, 0, &t));
    for (k = 0; k < 3; k++)
        navoi_invoice_free(inv[k]);
    e2e_wait_final(c, t, 0);
    ck_assert_uint_eq(navoi_txn_item_count(t), 3);
    for (k = 0; k < 3; k++) {
        int kind = 0;
        ck_assert_int_eq(navoi_txn_item_status(t, k), NAVOI_STATUS_ABORTED);
        ck_assert(e2e_txn_has_code(t, k, "SCHEMA_VIOLATION"));
        ck_assert_int_eq(navoi_txn_message(t, k, 0, &kind, NULL, NULL, NULL), NAVOI_OK);
        ck_assert_int_eq(kind, NAVOI_MSG_TECHNICAL);
    }
    navoi_txn_free(t);
    e2e_client_free(c);
    sim_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("e2e-conformance");
    TCase *tc = tcase_create("samples");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, sample_alone, 0, NSAMPLES);
    tcase_add_test(tc, batch_results_per_document);
    tcase_add_test(tc, samples_one_ledger);
    tcase_add_test(tc, api_sample_payloads_schema_violation);
    suite_add_tcase(su, tc);
    return nt_run(su);
}

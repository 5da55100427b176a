/* test_sim_agree.c - the validator and the simulator agree. navoi-sim
 * (in-process, 127.0.0.1, NAV's schemas) checks SUPPLIER_TAX_NUMBER_MISMATCH,
 * INVALID_LINE_OPERATION and schema violations among others; for invoices
 * that break none, one or another of these, the ERROR codes the simulator
 * ends ABORTED with and the validator's ERROR findings must be the same
 * on those three codes. Invoices are submitted through the public API
 * (navoi_manage_invoice) by a client without schemas, so that the
 * simulator, not the client, judges the broken ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "invtest.h"
#include "sim.h"
#include "testutil.h"

static const char *const k_overlap[] = {"SUPPLIER_TAX_NUMBER_MISMATCH", "INVALID_LINE_OPERATION",
                                        "SCHEMA_VIOLATION", NULL};

static int in_overlap(const char *code)
{
    int i;
    for (i = 0; k_overlap[i]; i++)
        if (strcmp(code, k_overlap[i]) == 0)
            return 1;
    return 0;
}

static sim_server *start_sim(void)
{
    static const char *cfg_text = "[settings]\n"
                                  "receivedDelayMs = 0\n"
                                  "processingDelayMs = 0\n"
                                  "rateLimit = off\n"
                                  "[user]\n"
                                  "login = simuser01\n"
                                  "password = Teszt-Jelszo-01\n"
                                  "taxNumber = 99999999\n"
                                  "signKey = ce-8f5e-215119fa7dd621DLMRHRLH2S\n"
                                  "exchangeKey = 9febIBBQRLZ348IB\n";
    sim_config *cfg = NULL;
    sim_server *s = NULL;
    char err[512], *schemas = nt_nav_path("schemas");

    ck_assert_msg(sim_config_parse(cfg_text, strlen(cfg_text), &cfg, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sim_config_set(cfg, "settings", "schemas", schemas, err, sizeof err) == 0, "%s", err);
    free(schemas);
    ck_assert_msg(sim_new(&s, cfg, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(sim_start(s, 0) == 0, "%s", sim_errmsg(s));
    return s;
}

static navoi_client *submitter(sim_server *s)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, sim_base_url(s)), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "simuser01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, "Teszt-Jelszo-01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, "99999999"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, "ce-8f5e-215119fa7dd621DLMRHRLH2S"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, "9febIBBQRLZ348IB"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU99999999-INV0001", "navoi invoice tests",
                                               NAVOI_SOFTWARE_LOCAL, "0.1", "navoi developers",
                                               "navoi-tests@example.com", "HU", NULL),
                     NAVOI_OK);
    return c;
}

/* Submits xml as op; returns the simulator's final status and appends its
 * ERROR codes on the overlap to out (space-separated, sorted by the
 * order of k_overlap). */
static int submit(navoi_client *c, const char *xml, int op, char *out, size_t outlen)
{
    navoi_invoice *inv = NULL;
    navoi_txn *t = NULL;
    int i, status, k;
    size_t m, n;

    ck_assert_msg(navoi_invoice_new(&inv, c, xml, strlen(xml), op) == NAVOI_OK, "%s", navoi_client_errmsg(c));
    ck_assert_msg(navoi_manage_invoice(c, &inv, 1, 0, &t) == NAVOI_OK, "manageInvoice: %s",
                  navoi_client_errmsg(c));
    for (i = 0; i < 3000 && !navoi_txn_is_final(t); i++) {
        ck_assert_msg(navoi_txn_poll(c, t, 0) == NAVOI_OK, "poll: %s", navoi_client_errmsg(c));
        if (!navoi_txn_is_final(t))
            usleep(10000);
    }
    ck_assert_msg(navoi_txn_is_final(t), "transaction never finished");
    status = navoi_txn_item_status(t, 0);
    out[0] = '\0';
    n = navoi_txn_message_count(t, 0);
    for (k = 0; k_overlap[k]; k++) {
        for (m = 0; m < n; m++) {
            const char *code = NULL;
            int sev = 0;
            navoi_txn_message(t, 0, m, NULL, &sev, &code, NULL);
            if (sev >= NAVOI_SEVERITY_ERROR && strcmp(code, k_overlap[k]) == 0) {
                snprintf(out + strlen(out), outlen - strlen(out), "%s ", code);
                break;
            }
        }
    }
    navoi_txn_free(t);
    navoi_invoice_free(inv);
    return status;
}

/* The validator's ERROR codes on the overlap, in the same form. */
static void validate(navoi_client *v, const char *xml, int op, char *out, size_t outlen)
{
    navoi_findings *f = it_validate(v, xml, op);
    size_t i;
    int k;

    out[0] = '\0';
    for (k = 0; k_overlap[k]; k++) {
        for (i = 0; i < navoi_findings_count(f); i++) {
            const char *code;
            int sev;
            navoi_findings_get(f, i, &code, &sev, NULL, NULL, NULL);
            if (sev == NAVOI_SEVERITY_ERROR && in_overlap(code) && strcmp(code, k_overlap[k]) == 0) {
                snprintf(out + strlen(out), outlen - strlen(out), "%s ", code);
                break;
            }
        }
    }
    navoi_findings_free(f);
}

static void agree(navoi_client *sub, navoi_client *val, const char *xml, int op, const char *expected,
                  const char *what)
{
    char sim_codes[256], val_codes[256];
    int status = submit(sub, xml, op, sim_codes, sizeof sim_codes);

    validate(val, xml, op, val_codes, sizeof val_codes);
    ck_assert_msg(strcmp(sim_codes, val_codes) == 0, "%s: simulator '%s', validator '%s'", what, sim_codes,
                  val_codes);
    ck_assert_msg(strcmp(val_codes, expected) == 0, "%s: got '%s', expected '%s'", what, val_codes, expected);
    ck_assert_int_eq(status, *expected ? NAVOI_STATUS_ABORTED : NAVOI_STATUS_DONE);
}

START_TEST(validator_and_simulator_agree)
{
    sim_server *s = start_sim();
    navoi_client *sub = submitter(s), *val = it_client(1);
    navoi_invoice_builder *b;
    char *xml, *bad;

    /* a clean builder-made invoice */
    b = it_base_builder("AGREE-1");
    xml = it_build_xml(b, NULL, NAVOI_OP_CREATE);
    agree(sub, val, xml, NAVOI_OP_CREATE, "", "clean invoice");
    free(xml);
    navoi_invoice_builder_free(b);

    /* another supplier's invoice */
    b = it_base_builder("AGREE-2");
    ck_assert_int_eq(navoi_invoice_builder_set_supplier(b, "12345676-2-41", "Más Kft", "HU", "1111", "Budapest",
                                                        "Fő utca 1."),
                     NAVOI_OK);
    xml = it_build_xml(b, NULL, NAVOI_OP_CREATE);
    agree(sub, val, xml, NAVOI_OP_CREATE, "SUPPLIER_TAX_NUMBER_MISMATCH ", "other supplier");
    free(xml);
    navoi_invoice_builder_free(b);

    /* schema violation: the currency code must be [A-Z]{3} */
    b = it_base_builder("AGREE-3");
    xml = it_build_xml(b, NULL, NAVOI_OP_CREATE);
    bad = it_replace(xml, "<currencyCode>HUF<", "<currencyCode>huf<", 1);
    agree(sub, val, bad, NAVOI_OP_CREATE, "SCHEMA_VIOLATION ", "currency huf");
    free(bad);
    free(xml);
    navoi_invoice_builder_free(b);

    /* NAV's base invoice, then an amendment with lineOperation MODIFY */
    xml = it_sample("Eredeti_szamla_modositasokhoz.xml");
    agree(sub, val, xml, NAVOI_OP_CREATE, "", "base invoice ZZZ000001");
    free(xml);
    xml = it_sample("Teteladatok_modositasa.xml");
    agree(sub, val, xml, NAVOI_OP_MODIFY, "INVALID_LINE_OPERATION ", "lineOperation MODIFY");
    free(xml);
    /* a clean amendment of the same chain */
    xml = it_sample("Teves_termek_helyesbitese.xml");
    agree(sub, val, xml, NAVOI_OP_MODIFY, "", "clean amendment");
    free(xml);

    navoi_client_free(val);
    navoi_client_free(sub);
    sim_stop(s);
    sim_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sim-agree");
    TCase *t = tcase_create("agree");
    tcase_set_timeout(t, 240);
    tcase_add_test(t, validator_and_simulator_agree);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    return nt_run(suite());
}

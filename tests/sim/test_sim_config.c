/* test_sim_config.c - the simulator's configuration parser: accepted
 * files, and every kind of bad input refused with its line number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sim.h"
#include "testutil.h"

static const char *k_good =
    "# comment\n"
    "; another comment\n"
    "[settings]\n"
    "tokenTtl = 300\n"
    "processingDelayMs = 0\n"
    "maintenance = off\n"
    "requestVersions = 1.1, 2.0, 3.0\n"
    "invalidCustomers = 11111111, 22222222\n"
    "\n"
    "[user]\n"
    "login = simuser01\n"
    "password = Teszt-Jelszo-01\n"
    "taxNumber = 99999999\n"
    "signKey = ce-8f5e-215119fa7dd621DLMRHRLH2S\n"
    "exchangeKey = f424XKR57N62W5NJ\n"
    "rights = manage, query\n"
    "language = EN\n"
    "customers = 12345676 87654320\n"
    "[taxpayer]\n"
    "taxNumber = 99999999\n"
    "name = Értékesítő Kft\n"
    "vatCode = 2\n"
    "countyCode = 41\n"
    "address = HQ|HU|1234|Budapest|Hármas|utca|1\n";

START_TEST(config_good)
{
    sim_config *c = NULL;
    sim_server *s = NULL;
    char err[256] = "";
    ck_assert_msg(sim_config_parse(k_good, strlen(k_good), &c, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(sim_new(&s, c, err, sizeof err), 0);
    sim_free(s);
}
END_TEST

static const struct {
    const char *text;
    int line;
    const char *words; /* expected in the message */
} k_bad[] = {
    {"[settings]\ntokenTtl = soon\n", 2, "tokenTtl"},
    {"[settings]\n\nbogus = 1\n", 3, "unknown key"},
    {"[nonsense]\n", 1, "unknown section"},
    {"login = x\n", 1, "outside a section"},
    {"[settings]\njust words\n", 2, "key = value"},
    {"[settings\n", 1, "]"},
    {"[user]\nlogin = ab\n", 2, "login"},
    {"[user]\nlogin = simuser01\ntaxNumber = 1234\n", 3, "taxNumber"},
    {"[user]\nlogin = simuser01\nexchangeKey = short\n", 3, "exchangeKey"},
    {"[user]\nlogin = simuser01\npasswordHash = 12\n", 3, "passwordHash"},
    {"[user]\nlogin = simuser01\nrights = manage,admin\n", 3, "admin"},
    /* a section missing mandatory keys is reported at its header */
    {"[settings]\n[user]\nlogin = simuser01\n", 2, "needs"},
    {"[user]\nlogin=simuser01\npassword=x\ntaxNumber=99999999\nsignKey=k\nexchangeKey=0123456789abcdef\n"
     "[taxpayer]\ntaxNumber = 12345678\n",
     7, "name"},
    {"[taxpayer]\ntaxNumber = 12345678\nname = X\naddress = HQ|HU|1234\n", 4, "address"},
    {"[settings]\nmaintenance = sometimes\n", 2, "maintenance"},
    {"[settings]\nclock = yesterday\n", 2, "clock"},
    {"[settings]\nrequestVersions = 2.0, 4.0\n", 2, "requestVersions"},
    {"[settings]\nrequestVersions = 2.0\n", 2, "must include 3.0"},
    {"[settings]\ninvalidCustomers = 11111111 1111111\n", 2, "invalidCustomers"},
    {"[user]\nlogin = simuser01\ncustomers = 12345676,\ncustomers = x\n", 4, "customers"},
};

START_TEST(config_bad)
{
    sim_config *c = (sim_config *)1;
    char err[256] = "", want[32];
    const char *t = k_bad[_i].text;
    ck_assert_int_eq(sim_config_parse(t, strlen(t), &c, err, sizeof err), -1);
    ck_assert_ptr_null(c);
    snprintf(want, sizeof want, "line %d:", k_bad[_i].line);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "case %d: '%s' lacks '%s'", _i, err, want);
    ck_assert_msg(strstr(err, k_bad[_i].words) != NULL, "case %d: '%s' lacks '%s'", _i, err,
                  k_bad[_i].words);
}
END_TEST

START_TEST(config_caps)
{
    sim_config *c = NULL;
    char err[256];
    size_t n = 3000, i;
    char *t = malloc(n + 32);
    /* an over-long line */
    strcpy(t, "[settings]\n# ");
    for (i = strlen(t); i < n; i++)
        t[i] = 'x';
    t[n] = '\n';
    t[n + 1] = '\0';
    ck_assert_int_eq(sim_config_parse(t, strlen(t), &c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "line 2:") && strstr(err, "longer"), "%s", err);
    free(t);
    /* too many lines */
    n = 10050;
    t = malloc(n + 1);
    memset(t, '\n', n);
    t[n] = '\0';
    ck_assert_int_eq(sim_config_parse(t, n, &c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "too many lines"), "%s", err);
    free(t);
    /* an embedded NUL */
    ck_assert_int_eq(sim_config_parse("[settings]\n\0x\n", 14, &c, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "line 2:"), "%s", err);
}
END_TEST

START_TEST(config_file)
{
    sim_config *c = NULL;
    char err[256];
    char *path = nt_data_path("sim/sim.ini");
    ck_assert_msg(sim_config_load(path, &c, err, sizeof err) == 0, "%s: %s", path, err);
    sim_config_free(c);
    free(path);
    ck_assert_int_eq(sim_config_load("/nonexistent/sim.ini", &c, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

int main(void)
{
    Suite *su = suite_create("sim-config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, config_good);
    tcase_add_loop_test(tc, config_bad, 0, (int)(sizeof k_bad / sizeof k_bad[0]));
    tcase_add_test(tc, config_caps);
    tcase_add_test(tc, config_file);
    suite_add_tcase(su, tc);
    return nt_run(su);
}

/* report_invoice.c - the smallest complete use of libnavoi: report one
 * invoice and follow it to DONE or ABORTED.
 *
 *   cc report_invoice.c $(pkg-config --cflags --libs navoi) -o report_invoice
 *   NAVOI_URL=... NAVOI_LOGIN=... NAVOI_PASSWORD_FILE=... NAVOI_TAX_NUMBER=...
 *   NAVOI_SIGN_KEY_FILE=... NAVOI_EXCHANGE_KEY_FILE=... ./report_invoice invoice.xml
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <navoi/navoi.h>

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "set %s\n", name);
        exit(2);
    }
    return v;
}

static int set_secret(navoi_client *c, const char *file_var,
                      int (*set)(navoi_client *, const char *))
{
    char *s = NULL;
    int rc = navoi_secret_file_read(env(file_var), &s);
    if (rc == NAVOI_OK)
        rc = set(c, s);
    navoi_free(s); /* wipes it */
    return rc;
}

int main(int argc, char **argv)
{
    navoi_client *c = NULL;
    navoi_invoice *inv = NULL;
    navoi_txn *txn = NULL;
    int rc = 1;

    if (argc != 2) {
        fprintf(stderr, "usage: %s INVOICE.xml\n", argv[0]);
        return 2;
    }
    if (navoi_client_new(&c) != NAVOI_OK)
        return 1;
    if (navoi_client_set_base_url(c, env("NAVOI_URL")) != NAVOI_OK ||
        navoi_client_set_login(c, env("NAVOI_LOGIN")) != NAVOI_OK ||
        set_secret(c, "NAVOI_PASSWORD_FILE", navoi_client_set_password) != NAVOI_OK ||
        navoi_client_set_tax_number(c, env("NAVOI_TAX_NUMBER")) != NAVOI_OK ||
        set_secret(c, "NAVOI_SIGN_KEY_FILE", navoi_client_set_signing_key) != NAVOI_OK ||
        set_secret(c, "NAVOI_EXCHANGE_KEY_FILE", navoi_client_set_exchange_key) != NAVOI_OK ||
        navoi_client_set_software(c, "HU12345676-EXAMPLE", "navoi example", NAVOI_SOFTWARE_LOCAL,
                                  "1.0", "Example Kft.", "dev@example.com", "HU", NULL) != NAVOI_OK ||
        navoi_invoice_new_from_file(&inv, c, argv[1], NAVOI_OP_CREATE) != NAVOI_OK ||
        navoi_manage_invoice(c, &inv, 1, NAVOI_MANAGE_COMPRESS, &txn) != NAVOI_OK) {
        fprintf(stderr, "error: %s [%s]\n", navoi_client_errmsg(c), navoi_client_nav_error_code(c));
        goto out;
    }
    while (!navoi_txn_is_final(txn)) {
        sleep(1); /* NAV asks for about one request per second */
        if (navoi_txn_poll(c, txn, 0) != NAVOI_OK) {
            fprintf(stderr, "error: %s\n", navoi_client_errmsg(c));
            goto out;
        }
    }
    printf("%s: %s\n", navoi_txn_id(txn), navoi_status_name(navoi_txn_item_status(txn, 0)));
    rc = navoi_txn_item_status(txn, 0) == NAVOI_STATUS_DONE ? 0 : 1;
out:
    navoi_txn_free(txn);
    navoi_invoice_free(inv);
    navoi_client_free(c);
    return rc;
}

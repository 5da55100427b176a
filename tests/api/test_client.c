/* test_client.c - public API: configuration validation, secret files,
 * error texts and categories, failure paths over a real (refused) socket,
 * and that no secret reaches a log line or an error message. */
#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <navoi/navoi.h>

#include "testutil.h"

#define SIGN_KEY "ce-8f5e-215119fa7dd621DLMRHRLH2S" /* spec §1.5.1 example */
#define EXCHANGE_KEY "f424XKR57N62W5NJ"             /* vectors.json token 1 */
#define PASSWORD "Teszt-Jelszo-01"                  /* vectors.json passwordHash 1 */
#define PASSWORD_HASH                                                                    \
    "2ED9CFF8C5B0F70FA66BB4F048088257FF37DE32F20C0169E0D7105DA8891A099329F540988176E7C2" \
    "532F04319A7FA67A054B4AA96EC77521BDB79B3B138D0E"

static navoi_client *full_client(void)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "lwilsmn0uqdxe6u"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, PASSWORD), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, "11111111"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, SIGN_KEY), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, EXCHANGE_KEY), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI01", "navoi tests",
                                               NAVOI_SOFTWARE_LOCAL, "0.1", "navoi",
                                               "dev@example.com", "HU", NULL),
                     NAVOI_OK);
    return c;
}

START_TEST(version_and_strerror)
{
    int code;
    ck_assert_str_eq(navoi_version(), NAVOI_VERSION);
    ck_assert_uint_eq(navoi_version_num(), (uint32_t)NAVOI_VERSION_NUM);
    for (code = 0; code >= -21; code--) {
        ck_assert_ptr_nonnull(navoi_strerror(code));
        ck_assert_str_ne(navoi_strerror(code), "unknown error");
    }
    ck_assert_str_eq(navoi_strerror(-999), "unknown error");
    ck_assert_str_eq(navoi_strerror(12345), "unknown error");
}
END_TEST

START_TEST(null_safety)
{
    navoi_client_free(NULL);
    navoi_invoice_free(NULL);
    navoi_txn_free(NULL);
    navoi_result_free(NULL);
    navoi_digest_query_free(NULL);
    navoi_free(NULL);
    ck_assert_int_eq(navoi_client_new(NULL), NAVOI_EINVAL);
    ck_assert_str_eq(navoi_client_errmsg(NULL), "");
    ck_assert_int_eq(navoi_client_set_login(NULL, "abcdef"), NAVOI_EINVAL);
}
END_TEST

START_TEST(login_rules)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "abc12"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_login(c, "abcdefghijklmnop"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_login(c, "abc-def"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_login(c, "abcdef\n"), NAVOI_EINVAL);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "line break"));
    ck_assert_int_eq(navoi_client_set_login(c, "lwilsmn0uqdxe6u"), NAVOI_OK);
    navoi_client_free(c);
}
END_TEST

START_TEST(password_rules)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, ""), NAVOI_EKEY);
    ck_assert_int_eq(navoi_client_set_password(c, PASSWORD "\n"), NAVOI_EKEY);
    ck_assert_ptr_null(strstr(navoi_client_errmsg(c), PASSWORD));
    ck_assert_int_eq(navoi_client_set_password(c, " " PASSWORD), NAVOI_EKEY);
    ck_assert_int_eq(navoi_client_set_password(c, PASSWORD), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password_hash(c, "ABC"), NAVOI_EKEY);
    ck_assert_int_eq(navoi_client_set_password_hash(c, PASSWORD_HASH), NAVOI_OK);
    navoi_client_free(c);
}
END_TEST

START_TEST(tax_number_forms)
{
    static const char *good[] = {"11111111", "12345678-1-42", "12345678142"};
    static const char *bad[] = {"1234567", "123456789", "12345678-142", "1234567a",
                                "12345678-1-4", "", "12-345678-1-42", " 11111111"};
    navoi_client *c = NULL;
    size_t i;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    for (i = 0; i < sizeof good / sizeof *good; i++)
        ck_assert_msg(navoi_client_set_tax_number(c, good[i]) == NAVOI_OK, "%s", good[i]);
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(navoi_client_set_tax_number(c, bad[i]) == NAVOI_EINVAL, "%s", bad[i]);
        ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "8 digits"));
    }
    navoi_client_free(c);
}
END_TEST

START_TEST(key_rules)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    /* 31 and 33 characters */
    ck_assert_int_eq(navoi_client_set_signing_key(c, "ce-8f5e-215119fa7dd621DLMRHRLH2"), NAVOI_EKEY);
    ck_assert_int_eq(navoi_client_set_signing_key(c, SIGN_KEY "X"), NAVOI_EKEY);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "32 characters"));
    ck_assert_ptr_null(strstr(navoi_client_errmsg(c), SIGN_KEY));
    ck_assert_int_eq(navoi_client_set_signing_key(c, SIGN_KEY "\n"), NAVOI_EKEY);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "line break"));
    ck_assert_int_eq(navoi_client_set_signing_key(c, "ce-8f5e-215119fa 7dd621DLMRHRLH2S"), NAVOI_EKEY);
    ck_assert_int_eq(navoi_client_set_signing_key(c, SIGN_KEY), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, "f424XKR57N62W5N"), NAVOI_EKEY);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "16 characters"));
    ck_assert_int_eq(navoi_client_set_exchange_key(c, EXCHANGE_KEY " "), NAVOI_EKEY);
    ck_assert_ptr_null(strstr(navoi_client_errmsg(c), EXCHANGE_KEY));
    ck_assert_int_eq(navoi_client_set_exchange_key(c, EXCHANGE_KEY), NAVOI_OK);
    navoi_client_free(c);
}
END_TEST

START_TEST(software_rules)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI0", "n", NAVOI_SOFTWARE_LOCAL,
                                               "1", "d", "c", NULL, NULL),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_software(c, "hu11111111-navoi01", "n", NAVOI_SOFTWARE_LOCAL,
                                               "1", "d", "c", NULL, NULL),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI01", "  ", NAVOI_SOFTWARE_LOCAL,
                                               "1", "d", "c", NULL, NULL),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI01", "n", 7, "1", "d", "c",
                                               NULL, NULL),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI01", "n", NAVOI_SOFTWARE_ONLINE,
                                               "1", "d", "c", "hu", NULL),
                     NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI01", "n", NAVOI_SOFTWARE_ONLINE,
                                               "1", "d", "c", "HU", "11111111-2-42"),
                     NAVOI_OK);
    navoi_client_free(c);
}
END_TEST

START_TEST(urls)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, "ftp://example/x"), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_base_url(c, "http://api.onlineszamla.nav.gov.hu/invoiceService/v3"),
                     NAVOI_ETLS);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_SECURITY);
    ck_assert_int_eq(navoi_client_set_base_url(c, "http://127.0.0.1:9/invoiceService/v3/"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_environment(c, 3), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_environment(c, NAVOI_ENV_PRODUCTION), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_timeouts(c, 0, 1, 1), NAVOI_EINVAL);
    ck_assert_int_eq(navoi_client_set_max_response(c, 100), NAVOI_EINVAL);
    navoi_client_free(c);
}
END_TEST

START_TEST(missing_configuration_named)
{
    navoi_client *c = NULL;
    navoi_result *r = (navoi_result *)1;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_ECONFIG);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "login"));
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "password"));
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "signing-key"));
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "software"));
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_CONFIG);
    navoi_client_free(c);
}
END_TEST

static char g_dir[64];

static char *secret_path(const char *name)
{
    static char p[128];
    if (!g_dir[0]) {
        snprintf(g_dir, sizeof g_dir, "/tmp/navoi-test-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(g_dir));
    }
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    return p;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    ck_assert_int_eq(chmod(path, mode), 0);
}

START_TEST(secret_files)
{
    char *s = NULL;
    char link[160];
    char *p = secret_path("key");

    write_file(p, SIGN_KEY "\n", 0600);
    ck_assert_int_eq(navoi_secret_file_read(p, &s), NAVOI_OK);
    ck_assert_str_eq(s, SIGN_KEY);
    navoi_free(s);
    s = NULL;
    ck_assert_int_eq(chmod(p, 0400), 0);
    ck_assert_int_eq(navoi_secret_file_read(p, &s), NAVOI_OK);
    navoi_free(s);
    s = NULL;
    ck_assert_int_eq(chmod(p, 0644), 0);
    ck_assert_int_eq(navoi_secret_file_read(p, &s), NAVOI_EPERM);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(chmod(p, 0640), 0);
    ck_assert_int_eq(navoi_secret_file_read(p, &s), NAVOI_EPERM);
    ck_assert_int_eq(chmod(p, 0600), 0);
    snprintf(link, sizeof link, "%s/link", g_dir);
    ck_assert_int_eq(symlink(p, link), 0);
    ck_assert_int_eq(navoi_secret_file_read(link, &s), NAVOI_EPERM);
    ck_assert_int_eq(navoi_secret_file_read(secret_path("missing"), &s), NAVOI_EIO);
    write_file(secret_path("empty"), "\n", 0600);
    ck_assert_int_eq(navoi_secret_file_read(secret_path("empty"), &s), NAVOI_EKEY);
    ck_assert_int_eq(navoi_secret_file_read(g_dir, &s), NAVOI_EPERM); /* a directory */
    unlink(link);
    unlink(secret_path("empty"));
    unlink(secret_path("key"));
    rmdir(g_dir);
}
END_TEST

START_TEST(categories_follow_protocol)
{
    /* PROTOCOL.md 7.1 class column */
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "INVALID_SECURITY_USER", 0), NAVOI_CAT_CONFIG);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "INVALID_REQUEST_SIGNATURE", 1), NAVOI_CAT_CONFIG);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "INVALID_TIMESTAMP", 0), NAVOI_CAT_CONFIG);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "MAINTENANCE_MODE", 1), NAVOI_CAT_TRANSIENT);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "SERVICE_UNAVAILABLE", 0), NAVOI_CAT_TRANSIENT);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "INDEX_NOT_SEQUENTIAL", 1), NAVOI_CAT_DATA);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "BAD_QUERY_PARAM_OVERLAP", 0), NAVOI_CAT_DATA);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "REQUEST_ID_NOT_UNIQUE", 1), NAVOI_CAT_AMBIGUOUS);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "OPERATION_FAILED", 1), NAVOI_CAT_AMBIGUOUS);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "OPERATION_FAILED", 0), NAVOI_CAT_TRANSIENT);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENAV, "SOMETHING_NEW", 0), NAVOI_CAT_DATA);
    ck_assert_int_eq(navoi_error_category(NAVOI_ETIMEOUT, NULL, 1), NAVOI_CAT_AMBIGUOUS);
    ck_assert_int_eq(navoi_error_category(NAVOI_ETIMEOUT, NULL, 0), NAVOI_CAT_TRANSIENT);
    ck_assert_int_eq(navoi_error_category(NAVOI_EHTTP, NULL, 1), NAVOI_CAT_AMBIGUOUS);
    ck_assert_int_eq(navoi_error_category(NAVOI_ENET, NULL, 1), NAVOI_CAT_TRANSIENT);
    ck_assert_int_eq(navoi_error_category(NAVOI_ETLS, NULL, 1), NAVOI_CAT_SECURITY);
    ck_assert_int_eq(navoi_error_category(NAVOI_EAMBIGUOUS, NULL, 1), NAVOI_CAT_AMBIGUOUS);
    ck_assert_int_eq(navoi_error_category(NAVOI_OK, NULL, 0), NAVOI_CAT_NONE);
}
END_TEST

/* A loopback port with nothing listening: bind, read the port, close. */
static int closed_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    ck_assert_int_ge(fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static char g_log[65536];

static void collect(int level, const char *corr, const char *msg, void *ud)
{
    size_t n = strlen(g_log);
    (void)ud;
    snprintf(g_log + n, sizeof g_log - n, "%d [%s] %s\n", level, corr, msg);
}

static void assert_no_secret(const char *text)
{
    ck_assert_ptr_null(strstr(text, PASSWORD));
    ck_assert_ptr_null(strstr(text, PASSWORD_HASH));
    ck_assert_ptr_null(strstr(text, SIGN_KEY));
    ck_assert_ptr_null(strstr(text, EXCHANGE_KEY));
}

START_TEST(refused_connection_is_transient_and_secret_free)
{
    navoi_client *c = full_client();
    navoi_result *r = NULL;
    navoi_txn *t = NULL;
    navoi_invoice *inv = NULL;
    char url[96];
    char *xml;
    size_t len;

    g_log[0] = '\0';
    navoi_client_set_log(c, collect, NAVOI_LOG_TRACE, NULL);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/invoiceService/v3", closed_port());
    ck_assert_int_eq(navoi_client_set_base_url(c, url), NAVOI_OK);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_ENET);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_TRANSIENT);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "queryTaxpayer"));
    assert_no_secret(navoi_client_errmsg(c));
    ck_assert_int_eq(navoi_token_exchange(c, NULL), NAVOI_ENET);

    xml = nt_read_nav("samples/data/Belfoldi_termekertekesites.xml", &len);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, xml, len, NAVOI_OP_CREATE), NAVOI_OK);
    /* Refused before anything was sent: not ambiguous. */
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_ENET);
    ck_assert_ptr_null(t);
    ck_assert_int_ne(navoi_client_error_category(c), NAVOI_CAT_AMBIGUOUS);
    assert_no_secret(navoi_client_errmsg(c));
    assert_no_secret(g_log);
    ck_assert_ptr_nonnull(strstr(g_log, "POST http://127.0.0.1"));
    navoi_invoice_free(inv);
    free(xml);
    navoi_client_free(c);
}
END_TEST

START_TEST(too_many_invoices)
{
    navoi_client *c = full_client();
    navoi_invoice *inv = NULL;
    navoi_invoice *many[101];
    navoi_txn *t = NULL;
    char *xml;
    size_t len, i;

    xml = nt_read_nav("samples/data/Belfoldi_termekertekesites.xml", &len);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, xml, len, NAVOI_OP_CREATE), NAVOI_OK);
    for (i = 0; i < 101; i++)
        many[i] = inv;
    ck_assert_int_eq(navoi_manage_invoice(c, many, 101, 0, &t), NAVOI_ETOOBIG);
    ck_assert_int_eq(navoi_manage_invoice(c, many, 0, 0, &t), NAVOI_ETOOBIG);
    ck_assert_int_eq(navoi_manage_invoice(c, many, 1, 0x80, &t), NAVOI_EINVAL);
    ck_assert_ptr_null(t);
    navoi_invoice_free(inv);
    free(xml);
    navoi_client_free(c);
}
END_TEST

/* A one-shot raw HTTP server: reads one request, answers with `reply`
 * (headers and body as given), then closes. */
typedef struct raw_server {
    int fd;
    int port;
    const char *head;   /* status line and headers, without the blank line */
    size_t body_len;    /* body bytes actually written */
    pthread_t thread;
} raw_server;

static void *raw_serve(void *arg)
{
    raw_server *s = arg;
    char buf[65536];
    size_t got = 0, sent = 0;
    int c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    /* Read the request headers and whatever body arrives with them. */
    while (got < sizeof buf - 1) {
        ssize_t r = recv(c, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
        buf[got] = '\0';
        if (strstr(buf, "</") && strstr(buf, "Request>"))
            break;
    }
    if (send(c, s->head, strlen(s->head), MSG_NOSIGNAL) < 0)
        goto out;
    send(c, "\r\n\r\n", 4, MSG_NOSIGNAL);
    memset(buf, 'x', sizeof buf);
    while (sent < s->body_len) {
        size_t n = s->body_len - sent < sizeof buf ? s->body_len - sent : sizeof buf;
        ssize_t w = send(c, buf, n, MSG_NOSIGNAL);
        if (w <= 0)
            break;
        sent += (size_t)w;
    }
out:
    close(c);
    return NULL;
}

static void raw_start(raw_server *s, const char *head, size_t body_len)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s->fd, 1), 0);
    ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    s->head = head;
    s->body_len = body_len;
    ck_assert_int_eq(pthread_create(&s->thread, NULL, raw_serve, s), 0);
}

static void raw_stop(raw_server *s)
{
    pthread_join(s->thread, NULL);
    close(s->fd);
}

static void point_at(navoi_client *c, int port)
{
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/invoiceService/v3", port);
    ck_assert_int_eq(navoi_client_set_base_url(c, url), NAVOI_OK);
}

START_TEST(oversized_response_is_capped)
{
    navoi_client *c = full_client();
    navoi_result *r = NULL;
    raw_server s;

    ck_assert_int_eq(navoi_client_set_max_response(c, 65536), NAVOI_OK);
    /* Declared and real size over the cap. */
    raw_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 5000000",
              5000000);
    point_at(c, s.port);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_ETOOBIG);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "65536"));
    raw_stop(&s);
    /* No Content-Length: the cap is enforced while reading. */
    raw_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close",
              3000000);
    point_at(c, s.port);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_ETOOBIG);
    raw_stop(&s);
    navoi_client_free(c);
}
END_TEST

START_TEST(truncated_response)
{
    navoi_client *c = full_client();
    navoi_result *r = NULL;
    navoi_invoice *inv = NULL;
    navoi_txn *t = NULL;
    raw_server s;
    char *xml;
    size_t len;

    /* Promises 100000 bytes, sends 10 and closes. */
    raw_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 100000", 10);
    point_at(c, s.port);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_ENET);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_TRANSIENT);
    raw_stop(&s);

    /* A truncated 200 body parses as garbage: a protocol error. */
    raw_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 10", 10);
    point_at(c, s.port);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_EPROTO);
    raw_stop(&s);

    /* The token exchange is answered truncated: nothing was decrypted, and
     * as no manage request went out, nothing is ambiguous. */
    xml = nt_read_nav("samples/data/Belfoldi_termekertekesites.xml", &len);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, xml, len, NAVOI_OP_CREATE), NAVOI_OK);
    raw_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 100000", 10);
    point_at(c, s.port);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_ENET);
    ck_assert_ptr_null(t);
    raw_stop(&s);
    navoi_invoice_free(inv);
    free(xml);
    navoi_client_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("api-client");
    TCase *tc = tcase_create("client");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, version_and_strerror);
    tcase_add_test(tc, null_safety);
    tcase_add_test(tc, login_rules);
    tcase_add_test(tc, password_rules);
    tcase_add_test(tc, tax_number_forms);
    tcase_add_test(tc, key_rules);
    tcase_add_test(tc, software_rules);
    tcase_add_test(tc, urls);
    tcase_add_test(tc, missing_configuration_named);
    tcase_add_test(tc, secret_files);
    tcase_add_test(tc, categories_follow_protocol);
    tcase_add_test(tc, refused_connection_is_transient_and_secret_free);
    tcase_add_test(tc, too_many_invoices);
    tcase_add_test(tc, oversized_response_is_capped);
    tcase_add_test(tc, truncated_response);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}

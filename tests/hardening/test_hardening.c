/*
 * test_hardening.c - the fail-closed properties of issue 7 through the
 * public API: plain HTTP to NAV is refused in every spelling, hostile
 * responses (billion laughs, 100 MB) are rejected with bounded memory over
 * a real socket, and unsafe key files are refused.
 * (TLS with an unknown CA, a wrong host name and an expired certificate is
 * tests/e2e/test_e2e_tls.c.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <navoi/navoi.h>

#include "testutil.h"

/* A file under tests/data (malloc'd). */
static char *read_data(const char *rel, size_t *len_out)
{
    char *p = nt_data_path(rel);
    char *d = nt_read_file(p, len_out);
    free(p);
    return d;
}

static navoi_client *full_client(void)
{
    navoi_client *c = NULL;
    ck_assert_int_eq(navoi_client_new(&c), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_login(c, "lwilsmn0uqdxe6u"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_password(c, "Teszt-Jelszo-01"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_tax_number(c, "11111111"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_signing_key(c, "ce-8f5e-215119fa7dd621DLMRHRLH2S"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_exchange_key(c, "f424XKR57N62W5NJ"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_software(c, "HU11111111-NAVOI01", "navoi tests",
                                               NAVOI_SOFTWARE_LOCAL, "0.1", "navoi",
                                               "dev@example.com", "HU", NULL),
                     NAVOI_OK);
    return c;
}

/* ------------------------------------------------------------------ */
/* Plain HTTP to NAV's hosts: refused when configured, as a security
 * failure, in any spelling a resolver would accept. */

START_TEST(plain_http_to_nav_refused)
{
    static const char *const urls[] = {
        "http://api.onlineszamla.nav.gov.hu/invoiceService/v3",
        "http://api-test.onlineszamla.nav.gov.hu/invoiceService/v3",
        "http://api.onlineszamla.nav.gov.hu:443/invoiceService/v3",
        "http://api.onlineszamla.nav.gov.hu",
        "http://api.onlineszamla.nav.gov.hu?x",
        "http://API.ONLINESZAMLA.NAV.GOV.HU/invoiceService/v3",
        "http://api.onlineszamla.Nav.Gov.Hu/invoiceService/v3",
        "http://api.onlineszamla.nav.gov.hu./invoiceService/v3",
        "http://user@api.onlineszamla.nav.gov.hu/invoiceService/v3",
    };
    navoi_client *c = full_client();
    size_t i;

    for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        ck_assert_msg(navoi_client_set_base_url(c, urls[i]) == NAVOI_ETLS, "%s accepted", urls[i]);
        ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_SECURITY);
        ck_assert_ptr_nonnull(strstr(navoi_client_errmsg(c), "https"));
    }
    /* the category table agrees, manage or not */
    ck_assert_int_eq(navoi_error_category(NAVOI_ETLS, NULL, 0), NAVOI_CAT_SECURITY);
    ck_assert_int_eq(navoi_error_category(NAVOI_ETLS, NULL, 1), NAVOI_CAT_SECURITY);
    /* https to NAV and plain http elsewhere stay allowed */
    ck_assert_int_eq(navoi_client_set_base_url(c, "https://api.onlineszamla.nav.gov.hu/invoiceService/v3"),
                     NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, "http://127.0.0.1:9/invoiceService/v3"), NAVOI_OK);
    ck_assert_int_eq(navoi_client_set_base_url(c, "http://nav.gov.hu.example/x"), NAVOI_OK);
    navoi_client_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A one-shot raw HTTP server on 127.0.0.1: reads the request, answers with
 * head + body (body_len bytes: the text, repeated), closes. */

typedef struct raw_server {
    int fd, port;
    const char *head;
    const char *body;
    size_t body_len;
    size_t sent;
    pthread_t thread;
} raw_server;

static void *raw_serve(void *arg)
{
    raw_server *s = arg;
    char buf[65536];
    size_t got = 0, blen = strlen(s->body), fill = 0; /* blen < sizeof buf */
    int c = accept(s->fd, NULL, NULL);

    if (c < 0)
        return NULL;
    while (got < sizeof buf - 1) {
        ssize_t r = recv(c, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
        buf[got] = '\0';
        if (strstr(buf, "Request>"))
            break;
    }
    if (send(c, s->head, strlen(s->head), MSG_NOSIGNAL) < 0 ||
        send(c, "\r\n\r\n", 4, MSG_NOSIGNAL) < 0)
        goto out;
    /* buf holds a chunk of the repeated body text */
    while (fill < sizeof buf) {
        size_t n = sizeof buf - fill < blen ? sizeof buf - fill : blen;
        memcpy(buf + fill, s->body, n);
        fill += n;
    }
    while (s->sent < s->body_len) {
        size_t n = s->body_len - s->sent < sizeof buf ? s->body_len - s->sent : sizeof buf;
        ssize_t w = send(c, buf, n, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the client hung up: that is the point */
        s->sent += (size_t)w;
    }
out:
    close(c);
    return NULL;
}

static void raw_start(raw_server *s, const char *head, const char *body, size_t body_len)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(s, 0, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s->fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(s->fd, 1), 0);
    ck_assert_int_eq(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    s->head = head;
    s->body = body;
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

static long max_rss_kb(void)
{
    struct rusage ru;
    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

START_TEST(billion_laughs_response)
{
    navoi_client *c = full_client();
    navoi_result *r = NULL;
    navoi_invoice *inv = NULL;
    navoi_txn *t = NULL;
    raw_server s;
    size_t len;
    char *body = read_data("responses/doctype_laughs.xml", &len);
    char head[160];
    long before = max_rss_kb();
    char *xml;

    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %zu", len);
    raw_start(&s, head, body, len);
    point_at(c, s.port);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_EPROTO);
    ck_assert_ptr_null(r);
    raw_stop(&s);

    /* the same body as the answer to a manage call's tokenExchange */
    raw_start(&s, head, body, len);
    point_at(c, s.port);
    xml = read_data("invoices/demo-create-1.xml", &len);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, xml, len, NAVOI_OP_CREATE), NAVOI_OK);
    ck_assert_int_eq(navoi_manage_invoice(c, &inv, 1, 0, &t), NAVOI_EPROTO);
    ck_assert_ptr_null(t);
    raw_stop(&s);
    /* no expansion happened: 10^9 "lol"s would be gigabytes */
    ck_assert_int_lt(max_rss_kb() - before, 64 * 1024);
    navoi_invoice_free(inv);
    free(xml);
    free(body);
    navoi_client_free(c);
}
END_TEST

/* A listening loopback socket that nobody should ever connect to. */
static int trap_listen(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(fd, 8), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    ck_assert_int_eq(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void assert_never_contacted(int fd)
{
    int c = accept(fd, NULL, NULL);
    ck_assert_msg(c < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
                  "the parser fetched an external resource");
    close(fd);
}

START_TEST(external_dtd_and_entities_not_fetched)
{
    navoi_client *c = full_client();
    navoi_result *r = NULL;
    navoi_invoice *inv = NULL;
    raw_server s;
    char body[1024], head[160];
    int port, trap = trap_listen(&port);

    /* an external DTD and an external parameter entity in a response */
    snprintf(body, sizeof body,
             "<?xml version=\"1.0\"?>\n"
             "<!DOCTYPE ns2:QueryTaxpayerResponse SYSTEM \"http://127.0.0.1:%d/nav.dtd\" [\n"
             "  <!ENTITY %% ext SYSTEM \"http://127.0.0.1:%d/ext.ent\"> %%ext;\n"
             "  <!ENTITY name SYSTEM \"http://127.0.0.1:%d/name\">\n"
             "  <!ENTITY file SYSTEM \"file:///etc/passwd\">]>\n"
             "<ns2:QueryTaxpayerResponse xmlns=\"http://schemas.nav.gov.hu/NTCA/1.0/common\" "
             "xmlns:ns2=\"http://schemas.nav.gov.hu/OSA/3.0/api\"><result><funcCode>OK</funcCode>"
             "<message>&name;&file;</message></result></ns2:QueryTaxpayerResponse>",
             port, port, port);
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %zu",
             strlen(body));
    raw_start(&s, head, body, strlen(body));
    point_at(c, s.port);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_EPROTO);
    ck_assert_ptr_null(r);
    ck_assert_ptr_null(strstr(navoi_client_errmsg(c), "root:"));
    raw_stop(&s);
    /* the same in an invoice the caller passes on */
    snprintf(body, sizeof body,
             "<?xml version=\"1.0\"?>\n"
             "<!DOCTYPE InvoiceData SYSTEM \"http://127.0.0.1:%d/data.dtd\">\n"
             "<InvoiceData xmlns=\"http://schemas.nav.gov.hu/OSA/3.0/data\">"
             "<invoiceNumber>X</invoiceNumber><invoiceIssueDate>2026-11-02</invoiceIssueDate>"
             "</InvoiceData>",
             port);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, body, strlen(body), NAVOI_OP_CREATE), NAVOI_EXML);
    ck_assert_ptr_null(inv);
    assert_never_contacted(trap);
    navoi_client_free(c);
}
END_TEST

#define HUNDRED_MB (100u * 1024u * 1024u)

START_TEST(hundred_megabyte_response)
{
    static const char filler[] = "<x>0123456789abcdef0123456789abcdef</x>";
    navoi_client *c = full_client();
    navoi_result *r = NULL;
    raw_server s;
    char head[200];
    long before;

    ck_assert_int_eq(navoi_client_set_max_response(c, 4u * 1024u * 1024u), NAVOI_OK);
    before = max_rss_kb();
    /* announced in Content-Length */
    snprintf(head, sizeof head,
             "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %u",
             HUNDRED_MB);
    raw_start(&s, head, filler, HUNDRED_MB);
    point_at(c, s.port);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_ETOOBIG);
    ck_assert_ptr_null(r);
    raw_stop(&s);
    ck_assert_uint_lt(s.sent, HUNDRED_MB); /* the client stopped reading */
    /* not announced: the cap holds while reading */
    raw_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close",
              filler, HUNDRED_MB);
    point_at(c, s.port);
    ck_assert_int_eq(navoi_query_taxpayer(c, "11111111", &r), NAVOI_ETOOBIG);
    ck_assert_int_eq(navoi_client_error_category(c), NAVOI_CAT_DATA);
    raw_stop(&s);
    ck_assert_uint_lt(s.sent, HUNDRED_MB);
    /* at most the 4 MiB cap (and its buffer doubling) was ever held */
    ck_assert_int_lt(max_rss_kb() - before, 40 * 1024);
    navoi_client_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Key files */

static char g_dir[64];

static const char *path_in(const char *name)
{
    static char p[160];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    return p;
}

static void write_key(const char *name, mode_t mode)
{
    const char *p = path_in(name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "ce-8f5e-215119fa7dd621DLMRHRLH2S\n", 33), 33);
    close(fd);
    ck_assert_int_eq(chmod(p, mode), 0);
}

static void expect_refused(const char *name)
{
    char *s = (char *)1;
    int rc = navoi_secret_file_read(path_in(name), &s);
    ck_assert_msg(rc == NAVOI_EPERM, "%s: %d (%s)", name, rc, navoi_strerror(rc));
    ck_assert_ptr_null(s);
    ck_assert_int_eq(navoi_error_category(rc, NULL, 0), NAVOI_CAT_SECURITY);
    ck_assert_ptr_nonnull(strstr(navoi_strerror(rc), "unsafe key file"));
}

START_TEST(unsafe_key_files_refused)
{
    static const mode_t bad[] = {0644, 0640, 0604, 0660, 0606, 0666, 0700, 0500, 0610,
                                 0601, 04600, 02600, 01600, 0200, 0000, 0777};
    char *s = NULL;
    size_t i;

    snprintf(g_dir, sizeof g_dir, "/tmp/navoi-hard-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_key("key", bad[i]);
        if (bad[i] == 0200 || bad[i] == 0000) {
            /* unreadable for a non-root user: EIO then, never the key */
            int rc = navoi_secret_file_read(path_in("key"), &s);
            ck_assert_msg(rc == NAVOI_EPERM || (rc == NAVOI_EIO && geteuid() != 0),
                          "mode %o: %d", (unsigned)bad[i], rc);
            ck_assert_ptr_null(s);
        } else {
            expect_refused("key");
        }
        unlink(path_in("key"));
    }
    /* the safe modes work */
    write_key("key", 0600);
    ck_assert_int_eq(navoi_secret_file_read(path_in("key"), &s), NAVOI_OK);
    ck_assert_str_eq(s, "ce-8f5e-215119fa7dd621DLMRHRLH2S");
    navoi_free(s);
    ck_assert_int_eq(chmod(path_in("key"), 0400), 0);
    ck_assert_int_eq(navoi_secret_file_read(path_in("key"), &s), NAVOI_OK);
    navoi_free(s);
    /* a symlink to a safe file */
    {
        char target[160];
        snprintf(target, sizeof target, "%s", path_in("key"));
        ck_assert_int_eq(symlink(target, path_in("link")), 0);
    }
    expect_refused("link");
    unlink(path_in("link"));
    /* not a regular file */
    ck_assert_int_eq(mkdir(path_in("dir"), 0700), 0);
    expect_refused("dir");
    rmdir(path_in("dir"));
    ck_assert_int_eq(mkfifo(path_in("fifo"), 0600), 0);
    {
        /* O_NONBLOCK is not used by the reader; make sure a FIFO is
         * refused without blocking by giving it a writer first */
        int w = open(path_in("fifo"), O_RDWR | O_NONBLOCK);
        ck_assert_int_ge(w, 0);
        expect_refused("fifo");
        close(w);
    }
    unlink(path_in("fifo"));
    /* owned by another user (needs root to arrange) */
    if (geteuid() == 0) {
        write_key("other", 0600);
        ck_assert_int_eq(chown(path_in("other"), 65534, 65534), 0);
        expect_refused("other");
        unlink(path_in("other"));
    }
    unlink(path_in("key"));
    rmdir(g_dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The outbox database and its -wal/-shm files are 0600 whatever the
 * umask, and a database others can read is refused. */

static unsigned file_mode(const char *dir, const char *name)
{
    char p[256];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    ck_assert_msg(stat(p, &st) == 0, "%s: %s", p, strerror(errno));
    return (unsigned)(st.st_mode & 07777);
}

START_TEST(outbox_files_private)
{
    char dir[64] = "/tmp/navoi-hard-XXXXXX", db[128], side[160];
    navoi_client *c = full_client();
    navoi_outbox *ob = NULL;
    navoi_invoice *inv = NULL;
    size_t len;
    char *xml = read_data("invoices/demo-create-1.xml", &len);
    mode_t old = umask(022);
    static const char *const sides[] = {"-wal", "-shm", "-journal"};
    size_t i;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* the supplier of tests/data/invoices: the validator checks it */
    ck_assert_int_eq(navoi_client_set_tax_number(c, "12345676"), NAVOI_OK);
    snprintf(db, sizeof db, "%s/outbox.sqlite", dir);
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    ck_assert_int_eq(navoi_invoice_new(&inv, c, xml, len, NAVOI_OP_CREATE), NAVOI_OK);
    ck_assert_msg(navoi_outbox_enqueue(ob, "erp-1", inv, NULL, NULL) == NAVOI_OK, "%s",
                  navoi_outbox_errmsg(ob));
    /* while the outbox is open the WAL files exist */
    ck_assert_uint_eq(file_mode(dir, "outbox.sqlite"), 0600);
    ck_assert_uint_eq(file_mode(dir, "outbox.sqlite-wal"), 0600);
    ck_assert_uint_eq(file_mode(dir, "outbox.sqlite-shm"), 0600);
    navoi_outbox_free(ob);
    ob = NULL;
    ck_assert_uint_eq(file_mode(dir, "outbox.sqlite"), 0600);
    /* reopened: still private, and the item is there */
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_OK);
    {
        int64_t n = 0;
        ck_assert_int_eq(navoi_outbox_count(ob, NAVOI_ITEM_PENDING, &n), NAVOI_OK);
        ck_assert(n == 1);
    }
    navoi_outbox_free(ob);
    ob = NULL;
    /* a database readable by others is refused, not used */
    ck_assert_int_eq(chmod(db, 0644), 0);
    ck_assert_int_eq(navoi_outbox_open_sqlite(&ob, c, db), NAVOI_EPERM);
    ck_assert_ptr_null(ob);
    ck_assert_int_eq(navoi_error_category(NAVOI_EPERM, NULL, 0), NAVOI_CAT_SECURITY);
    umask(old);
    for (i = 0; i < sizeof sides / sizeof sides[0]; i++) {
        snprintf(side, sizeof side, "%s%s", db, sides[i]);
        unlink(side);
    }
    unlink(db);
    rmdir(dir);
    navoi_invoice_free(inv);
    free(xml);
    navoi_client_free(c);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("hardening");
    TCase *tc = tcase_create("fail-closed");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, plain_http_to_nav_refused);
    tcase_add_test(tc, billion_laughs_response);
    tcase_add_test(tc, external_dtd_and_entities_not_fetched);
    tcase_add_test(tc, hundred_megabyte_response);
    tcase_add_test(tc, unsafe_key_files_refused);
    tcase_add_test(tc, outbox_files_private);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return nt_run(suite());
}

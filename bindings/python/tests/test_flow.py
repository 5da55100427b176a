"""A full submission to DONE and every query operation, against navoi-sim."""
import datetime as dt
import unittest

import navoi
import simhelper as sh

sim = None
client = None


def setUpModule():
    global sim, client
    sim = sh.Sim()
    client = navoi.Client(**sh.client_config(sim))


def tearDownModule():
    if client:
        client.close()
    if sim:
        sim.stop()


def invoice(name, op=navoi.Operation.CREATE):
    return client.invoice_from_file(sh.INVOICES / name, op)


class Flow(unittest.TestCase):
    """Runs in order: test_1 submits, the others query what it reported."""

    txn_id = None

    def test_0_token_exchange(self):
        valid_to = client.token_exchange()
        self.assertIsNotNone(valid_to.tzinfo)
        self.assertEqual(client.http_status, 200)

    def test_1_submission_reaches_done(self):
        with invoice("demo-create-1.xml") as a, invoice("demo-create-2.xml") as b:
            self.assertEqual(a.number, "DEMO-2026-0001")
            self.assertEqual(a.issue_date, "2026-11-02")
            self.assertEqual(a.operation, navoi.Operation.CREATE)
            self.assertFalse(a.is_electronic)
            self.assertEqual(a.xml, (sh.INVOICES / "demo-create-1.xml").read_bytes())
            with client.manage_invoice([a, b], compress=True) as txn:
                self.assertRegex(txn.id, r"^[0-9A-Z]{16}$")
                self.assertTrue(txn.request_id)
                self.assertEqual(txn.items, [])
                txn.wait(timeout=120, interval=0.2)
                self.assertTrue(txn.is_final)
                items = txn.items
                self.assertEqual([i.index for i in items], [1, 2])
                self.assertEqual([i.status for i in items], [navoi.Status.DONE] * 2)
                self.assertEqual(txn.original_request_version, "3.0")
                self.assertRegex(sim.admin("ledger?supplier=12345676&number=DEMO-2026-0001"),
                                 r"^accepted=1 .*status=DONE annulled=0")
                type(self).txn_id = txn.id

    def test_2_query_transaction_status(self):
        self.assertTrue(self.txn_id)
        with client.query_transaction_status(self.txn_id, return_original=True) as t:
            self.assertEqual(t.id, self.txn_id)
            items = t.items
            self.assertEqual(len(items), 2)
            self.assertEqual(items[0].status, navoi.Status.DONE)
            self.assertIn(b"DEMO-2026-0001", items[0].original)
        with client.query_transaction_status("0000000000000000") as t:
            self.assertEqual(t.items, [])

    def test_3_query_transaction_list(self):
        now = dt.datetime.now(dt.timezone.utc)
        r = client.query_transaction_list(now - dt.timedelta(days=1), now + dt.timedelta(days=1))
        self.assertEqual(r.current_page, 1)
        self.assertEqual(r.available_page, 1)
        ids = [rec["transactionId"] for rec in r.records]
        self.assertIn(self.txn_id, ids)
        self.assertEqual(r.records[ids.index(self.txn_id)]["itemCount"], "2")
        with self.assertRaises(navoi.InvalidArgumentError):
            client.query_transaction_list(now - dt.timedelta(days=40), now)

    def test_4_query_invoice_check(self):
        self.assertTrue(client.query_invoice_check("DEMO-2026-0001"))
        self.assertFalse(client.query_invoice_check("DEMO-2026-9999"))

    def test_5_query_invoice_data(self):
        r = client.query_invoice_data("DEMO-2026-0001")
        self.assertEqual(len(r.records), 1)
        self.assertEqual(r.record["auditData/transactionId"], self.txn_id)
        self.assertEqual(r.record["compressedContentIndicator"], "true")
        self.assertEqual(r.content, (sh.INVOICES / "demo-create-1.xml").read_bytes())
        none = client.query_invoice_data("DEMO-2026-9999")
        self.assertEqual(none.records, [])
        self.assertIsNone(none.content)

    def test_6_query_invoice_digest(self):
        r = client.query_invoice_digest(issue_date=("2026-11-01", "2026-11-30"))
        self.assertEqual(sorted(rec["invoiceNumber"] for rec in r),
                         ["DEMO-2026-0001", "DEMO-2026-0002"])
        q = navoi.DigestQuery(direction=navoi.Direction.OUTBOUND,
                              issue_date=("2026-11-01", "2026-11-30"),
                              relations=[("invoiceNetAmount", navoi.QueryOperator.GT, "200000")],
                              params={"currency": "HUF"})
        r = client.query_invoice_digest(q)
        self.assertEqual([rec["invoiceNumber"] for rec in r], ["DEMO-2026-0001"])
        self.assertEqual(r.record["invoiceNetAmount"], "616000")
        with self.assertRaises(navoi.InvalidArgumentError):
            client.query_invoice_digest(navoi.DigestQuery(page=0))
        self.assertEqual(navoi.live_handles(), {"client": 1})  # the module's client

    def test_7_modify_and_chain_digest(self):
        with invoice("demo-modify-1.xml", navoi.Operation.MODIFY) as m:
            with client.manage_invoice([m]) as txn:
                txn.wait(timeout=120, interval=0.2)
                self.assertEqual(txn.items[0].status, navoi.Status.DONE, txn.items)
        r = client.query_invoice_chain_digest("DEMO-2026-0001", navoi.Direction.OUTBOUND)
        numbers = [rec["invoiceChainDigest/invoiceNumber"] for rec in r]
        self.assertEqual(numbers[0], "DEMO-2026-0001")
        self.assertIn("DEMO-2026-0001-M1", numbers)

    def test_8_query_taxpayer(self):
        r = client.query_taxpayer("12345676")
        self.assertEqual(r.meta["taxpayerValidity"], "true")
        self.assertEqual(r.record["taxpayerName"], "Navoi Demo Kft.")
        self.assertEqual(r.record["taxNumberDetail/vatCode"], "2")
        r = client.query_taxpayer("99999999")
        self.assertEqual(r.records, [])
        self.assertEqual(r.meta["taxpayerValidity"], "false")

    def test_9_annulment(self):
        with client.manage_annulment([navoi.Annulment(
                "DEMO-2026-0002", navoi.AnnulmentCode.ERRATIC_DATA, "binding test")]) as txn:
            txn.poll()
            self.assertEqual(txn.annulment_status, "VERIFICATION_PENDING")
            self.assertIsNone(txn.annulment_decision)
            sim.admin("annulment?transactionId=%s&decision=approve&user=%s"
                      % (txn.id, sh.LOGIN))
            txn.poll()
            self.assertEqual(txn.annulment_status, "VERIFICATION_DONE")
            d = txn.annulment_decision
            self.assertIsNotNone(d)
            self.assertEqual(d.user, sh.LOGIN)
        self.assertFalse(client.query_invoice_check("DEMO-2026-0002"))


class DataErrors(unittest.TestCase):
    def test_duplicate_is_aborted_with_messages(self):
        # NAV's business outcome is data on the transaction, not an exception.
        with invoice("demo-create-1.xml") as a, invoice("demo-create-1.xml") as b:
            with client.manage_invoice([a, b]) as txn:
                txn.wait(timeout=120, interval=0.2)
                items = txn.items
        self.assertEqual([i.status for i in items], [navoi.Status.ABORTED] * 2)
        codes = {m.code for i in items for m in i.messages}
        self.assertTrue(codes & {"DUPLICATE_IN_REQUEST", "INVOICE_NUMBER_NOT_UNIQUE"}, codes)
        m = items[0].messages[0]
        self.assertIsInstance(m.kind, navoi.MessageKind)
        self.assertIsInstance(m.severity, navoi.Severity)

    def test_not_an_invoice(self):
        with self.assertRaises(navoi.XMLError) as cm:
            client.invoice(b"<notInvoiceData/>")
        self.assertEqual(cm.exception.category, navoi.Category.DATA)
        with self.assertRaises(navoi.FileIOError):
            client.invoice_from_file(sh.INVOICES / "missing.xml")

    def test_too_many_invoices(self):
        with invoice("demo-create-2.xml") as a:
            with self.assertRaises(navoi.TooBigError):
                client.manage_invoice([a] * 101)


if __name__ == "__main__":
    unittest.main()

"""The outbox through the Python binding: enqueue, worker steps, status,
failed items, halt and resume, against navoi-sim."""
import datetime as dt
import os
import shutil
import tempfile
import time
import unittest
from pathlib import Path

import navoi
import simhelper as sh
from navoi import _ffi

sim = None


def setUpModule():
    global sim
    if "navoi_outbox_open_sqlite" in _ffi.load().missing:
        raise unittest.SkipTest("libnavoi built without the outbox")
    sim = sh.Sim()


def tearDownModule():
    if sim:
        sim.stop()


def run_until(ob, done, limit=60.0):
    """Steps the worker until done() holds. Polls become due a little later
    in real time, so idle turns sleep briefly; `limit` bounds a hang and is
    not a timing assertion."""
    deadline = time.monotonic() + limit
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError("outbox did not get there in %.0f s" % limit)
        if not ob.step():
            time.sleep(0.02)


class OutboxFlow(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="navoi-py-outbox-")
        cls.client = navoi.Client(**sh.client_config(sim))
        cls.ob = navoi.Outbox.open_sqlite(cls.client, Path(cls.dir) / "outbox.db")
        cls.ob.set_batch_policy(max_items=100, min_interval_ms=0)
        cls.ob.set_poll_policy(first_ms=10, cap_ms=50)
        cls.ob.set_worker("python-tests", lease_ms=60_000)

    @classmethod
    def tearDownClass(cls):
        cls.ob.close()
        cls.client.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def inv(self, name, op=navoi.Operation.CREATE):
        return self.client.invoice_from_file(sh.INVOICES / name, op)

    def test_1_enqueue_and_report(self):
        ob = self.ob
        with self.inv("demo-create-1.xml") as a, self.inv("demo-create-2.xml") as b, \
                self.inv("demo-modify-1.xml", navoi.Operation.MODIFY) as m:
            self.assertTrue(ob.enqueue("K1", a))
            self.assertFalse(ob.enqueue("K1", a))  # same key, same invoice: no-op
            self.assertTrue(ob.enqueue("K2", b))
            self.assertTrue(ob.enqueue("K1-M", m, original_key="K1"))
            with self.assertRaises(navoi.StateError):
                ob.enqueue("K1", b)  # same key, other invoice
        self.assertEqual(ob.count(navoi.ItemState.PENDING), 3)
        self.assertEqual(ob.keys(navoi.ItemState.PENDING), ["K1", "K2", "K1-M"])
        self.assertEqual(ob.backlog()[0], 3)
        self.assertIsNotNone(ob.next_due())
        run_until(ob, lambda: ob.backlog()[0] == 0)
        self.assertIsNone(ob.halt_reason)
        self.assertEqual(ob.count(navoi.ItemState.DONE), 3)
        it = ob.item("K1")
        self.assertEqual(it.state, navoi.ItemState.DONE)
        self.assertTrue(it.is_final)
        self.assertEqual(it.operation, navoi.Operation.CREATE)
        self.assertEqual(it.invoice_number, "DEMO-2026-0001")
        self.assertRegex(it.transaction_id, r"^[0-9A-Z]{16}$")
        self.assertGreaterEqual(it.index, 1)
        self.assertEqual(it.attempts, 1)
        self.assertTrue(it.request_id)
        self.assertGreater(it.enqueued_ms, 0)
        self.assertIsNone(it.error)
        self.assertTrue(it.history)
        self.assertEqual(ob.item("K1-M").original_key, "K1")
        self.assertEqual(ob.find_by_number("DEMO-2026-0001"), "K1")
        self.assertEqual(ob.find_by_transaction(it.transaction_id, it.index), "K1")
        self.assertIsNone(ob.find_by_number("DEMO-2026-9999"))
        self.assertEqual(ob.amendments("K1"), ["K1-M"])
        self.assertRegex(sim.admin("ledger?supplier=12345676&number=DEMO-2026-0001"),
                         r"^accepted=1 ")
        with self.assertRaises(navoi.NotFoundError):
            ob.item("no-such-key")
        with self.assertRaises(navoi.StateError):
            ob.retry("K1")  # DONE is final

    def test_2_failed_items(self):
        ob = self.ob
        # A second key for an invoice number NAV already has: NAV aborts it.
        with self.inv("demo-create-1.xml") as a:
            self.assertTrue(ob.enqueue("K3", a))
        run_until(ob, lambda: ob.item("K3").is_final)
        failed = ob.failed()
        self.assertEqual([i.key for i in failed], ["K3"])
        k3 = failed[0]
        self.assertEqual(k3.state, navoi.ItemState.ABORTED)
        self.assertTrue(k3.messages)
        self.assertIn("INVOICE_NUMBER_NOT_UNIQUE", {m.code for m in k3.messages})
        self.assertEqual(navoi.outbox_state_name(k3.state), "ABORTED")
        self.assertTrue(k3.advice)  # what a person should do about it
        self.assertEqual(ob.item("K1").advice, "")

    def test_3_annulment(self):
        ob = self.ob
        self.assertTrue(ob.enqueue_annulment("A2", "K2", navoi.AnnulmentCode.ERRATIC_DATA,
                                             "binding test"))
        run_until(ob, lambda: ob.item("A2").annulment_status == "VERIFICATION_PENDING")
        a2 = ob.item("A2")
        self.assertEqual(a2.operation, navoi.Operation.ANNUL)
        sim.admin("annulment?transactionId=%s&decision=approve&user=%s"
                  % (a2.transaction_id, sh.LOGIN))
        run_until(ob, lambda: ob.item("A2").is_final)
        self.assertEqual(ob.item("A2").state, navoi.ItemState.DONE)
        self.assertIn("A2", ob.amendments("K2"))


    def test_4_batch(self):
        ob = self.ob
        today = dt.datetime.now(dt.timezone.utc).date()

        def built(number):
            b = navoi.InvoiceBuilder(number, today)
            b.set_supplier("12345676-2-41", "Navoi Demo Kft.", "HU", "1055", "Budapest", "Fő tér 1.")
            b.set_customer_private_person()
            b.line_set_vat_rate(b.add_line("Könyv", "1", "PIECE", "4990"), "0.05")
            with b:
                return b.build()

        stamp = int(dt.datetime.now().timestamp())
        invs = [built("PY-BATCH-%d-%d" % (stamp, i)) for i in range(3)]
        with self.inv("demo-create-2.xml") as other:
            # all or nothing: K2 holds another invoice, so B0 is not stored either
            with self.assertRaises(navoi.StateError):
                ob.enqueue_batch([("B0", invs[0]), ("K2", invs[1])])
            self.assertEqual(ob.keys(navoi.ItemState.PENDING), [])
            self.assertEqual(ob.enqueue_batch([("B%d" % i, inv) for i, inv in enumerate(invs)]),
                             [True, True, True])
            self.assertEqual(ob.enqueue_batch([("B0", invs[0]), ("K2", other)]), [False, False])
        self.assertEqual(ob.enqueue_batch([]), [])
        for inv in invs:
            inv.close()
        self.assertEqual(ob.count(navoi.ItemState.PENDING), 3)
        run_until(ob, lambda: ob.backlog()[0] == 0)
        self.assertEqual([ob.item("B%d" % i).state for i in range(3)], [navoi.ItemState.DONE] * 3)


class OutboxPostgres(unittest.TestCase):
    SECRET = "Pg-Secret-Jelszo-77"

    def test_unreachable_database(self):
        with navoi.Client(**sh.client_config(sim)) as c:
            for conninfo in ("host=127.0.0.1 port=1 dbname=navoi user=navoi password=%s "
                             "connect_timeout=5" % self.SECRET,
                             "postgresql://navoi:%s@127.0.0.1:1/navoi" % self.SECRET):
                with self.assertRaises((navoi.FileIOError, navoi.ConfigError)) as cm:
                    navoi.Outbox.open_postgres(c, conninfo)
                self.assertNotIn(self.SECRET, str(cm.exception))
            with self.assertRaises(navoi.InvalidArgumentError) as cm:
                navoi.Outbox.open_postgres(c, "no-such-keyword=1 password=" + self.SECRET)
            self.assertNotIn(self.SECRET, str(cm.exception))
        self.assertNotIn("outbox", navoi.live_handles())

    @unittest.skipUnless(os.environ.get("NAVOI_TEST_PG"), "NAVOI_TEST_PG (a PostgreSQL "
                         "connection string, e.g. from scripts/pg-test-server) not set")
    def test_report_through_postgres(self):
        s2 = sh.Sim()  # its own ledger
        self.addCleanup(s2.stop)
        with navoi.Client(**sh.client_config(s2)) as c:
            try:
                ob = navoi.Outbox.open_postgres(c, os.environ["NAVOI_TEST_PG"])
            except navoi.ConfigError as e:
                self.skipTest("libnavoi without PostgreSQL: %s" % e)
            with ob:
                ob.set_batch_policy(min_interval_ms=0)
                ob.set_poll_policy(first_ms=10, cap_ms=50)
                ob.set_worker("python-pg-%d" % os.getpid(), 60_000)
                key = "PG-%d" % os.getpid()
                with c.invoice_from_file(sh.INVOICES / "demo-create-1.xml") as inv:
                    ob.enqueue(key, inv)
                run_until(ob, lambda: ob.item(key).is_final)
                self.assertEqual(ob.item(key).state, navoi.ItemState.DONE)


class OutboxHalt(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sim = sh.Sim()  # its own ledger: independent of OutboxFlow

    @classmethod
    def tearDownClass(cls):
        cls.sim.stop()

    def test_configuration_error_halts_and_resumes(self):
        sim = self.sim
        d = tempfile.mkdtemp(prefix="navoi-py-outbox-")
        self.addCleanup(shutil.rmtree, d, True)
        with navoi.Client(**sh.client_config(sim, password="Wrong-Jelszo-99")) as c, \
                navoi.Outbox.open_sqlite(c, Path(d) / "outbox.db") as ob:
            ob.set_batch_policy(min_interval_ms=0)
            with c.invoice_from_file(sh.INVOICES / "demo-create-2.xml") as inv:
                ob.enqueue("H1", inv)
            with self.assertRaises(navoi.ConfigError) as cm:
                run_until(ob, lambda: False, limit=30)
            self.assertTrue(ob.halt_reason)
            self.assertNotIn("Wrong-Jelszo-99", ob.halt_reason + str(cm.exception))
            self.assertEqual(ob.item("H1").state, navoi.ItemState.PENDING)
            c.configure(password=sh.PASSWORD)
            ob.resume()
            self.assertIsNone(ob.halt_reason)
            run_until(ob, lambda: ob.item("H1").is_final)
            self.assertEqual(ob.item("H1").state, navoi.ItemState.DONE)
        self.assertNotIn("outbox", navoi.live_handles())

    def test_closing_the_client_closes_its_outbox(self):
        d = tempfile.mkdtemp(prefix="navoi-py-outbox-")
        self.addCleanup(shutil.rmtree, d, True)
        c = navoi.Client(**sh.client_config(self.sim))
        ob = navoi.Outbox.open_sqlite(c, Path(d) / "outbox.db")
        c.close()  # the outbox borrowed the client's handle
        self.assertTrue(ob.closed)
        with self.assertRaises(ValueError):
            ob.step()


if __name__ == "__main__":
    unittest.main()

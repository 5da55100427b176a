"""Connection check, incoming-invoice sync and outbox metrics through the
Python binding, against navoi-sim."""
import datetime as dt
import shutil
import tempfile
import time
import unittest
from pathlib import Path

import navoi
import simhelper as sh
from navoi import _ffi

INBOUND = sh.TEST_DATA / "bindings" / "inbound-from-22222222.xml"

sim = None


def setUpModule():
    global sim
    if "navoi_sync_open_sqlite" in _ffi.load().missing:
        raise unittest.SkipTest("libnavoi built without sync")
    sim = sh.Sim()


def tearDownModule():
    if sim:
        sim.stop()


def inbound_xml(number):
    """The fixture (supplier 22222222, customer 12345676) numbered `number`."""
    xml = INBOUND.read_bytes()
    tag = b"<invoiceNumber>BIND-IN-0001</invoiceNumber>"
    assert xml.count(tag) == 1
    return xml.replace(tag, b"<invoiceNumber>%s</invoiceNumber>" % number.encode())


def seed(number):
    xml = inbound_xml(number)
    assert sim.admin("seed", xml) == "ok\n"
    return xml


class ConnectionCheck(unittest.TestCase):
    def test_active_with_good_settings(self):
        with navoi.Client(**sh.client_config(sim)) as c:
            r = c.check_connection()
            self.assertEqual(r.status, navoi.ConnStatus.ACTIVE)
            self.assertEqual(r.diagnosis, navoi.Diagnosis.NONE)
            self.assertEqual(r.message, "")
            self.assertTrue(r.ok)
            self.assertTrue(r)
            self.assertEqual(str(r), "ACTIVE")
            self.assertTrue(c.check_connection(query_only=True).ok)
        self.assertEqual(navoi.conn_status_name(navoi.ConnStatus.NO_CONFIG), "NO_CONFIG")
        self.assertEqual(navoi.diagnosis_name(navoi.Diagnosis.CLOCK_SKEW), "CLOCK_SKEW")
        self.assertEqual(navoi.diagnosis_name(999), "UNKNOWN")

    def test_wrong_password_is_diagnosed(self):
        wrong = "Wrong-Jelszo-99"
        with navoi.Client(**sh.client_config(sim, password=wrong)) as c:
            r = c.check_connection()
            self.assertEqual(r.status, navoi.ConnStatus.ERROR)
            self.assertEqual(r.diagnosis, navoi.Diagnosis.WRONG_PASSWORD)
            self.assertEqual(r.nav_error_code, "INVALID_SECURITY_USER")
            self.assertIn("INVALID_SECURITY_USER", r.message)
            self.assertFalse(r)
            for text in (r.message, str(r), repr(r)):
                self.assertNotIn(wrong, text)
                self.assertNotIn(sh.PASSWORD, text)

    def test_check_with_raw_secrets(self):
        with navoi.Client(**sh.client_config(sim, password="Wrong-Jelszo-99")) as c:
            # as read from a file with its line break: diagnosed, not sent
            pw = bytearray(sh.PASSWORD.encode() + b"\n")
            r = c.check_connection_with(password=pw)
            self.assertEqual((r.status, r.diagnosis),
                             (navoi.ConnStatus.ERROR, navoi.Diagnosis.KEY_WHITESPACE))
            self.assertIn("password", r.message)
            self.assertNotIn(sh.PASSWORD, r.message)
            r = c.check_connection_with(signing_key=sh.SIGN_KEY[:31])
            self.assertEqual(r.diagnosis, navoi.Diagnosis.KEY_LENGTH)
            self.assertNotIn(sh.SIGN_KEY[:31], r.message)
            # well-formed secrets are set on the client, then checked
            r = c.check_connection_with(password=bytearray(sh.PASSWORD.encode()),
                                        signing_key=sh.SIGN_KEY.encode(),
                                        exchange_key=sh.EXCHANGE_KEY)
            self.assertEqual(r.status, navoi.ConnStatus.ACTIVE, r.message)
            self.assertTrue(c.check_connection().ok)  # the client kept them
            # nothing on the Python object refers to a secret
            for v in vars(c).values():
                self.assertNotIn(sh.PASSWORD, repr(v))
            with self.assertRaises(TypeError):
                c.check_connection_with(password=12345)

    def test_missing_settings(self):
        with navoi.Client(base_url=sim.url, login=sh.LOGIN) as c:
            r = c.check_connection()
            self.assertEqual(r.status, navoi.ConnStatus.NO_CONFIG)
            self.assertEqual(r.diagnosis, navoi.Diagnosis.MISSING_CONFIG)
            self.assertIn("password", r.message)


class IncomingSync(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="navoi-py-sync-")
        cls.client = navoi.Client(**sh.client_config(sim))
        cls.seeded = {n: seed(n) for n in ("PY-IN-0001", "PY-IN-0002", "PY-IN-0003")}
        cls.start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def open(self, name="sync.db"):
        return navoi.Sync.open_sqlite(self.client, Path(self.dir) / name, pace_ms=0)

    def test_1_sync_list_and_read(self):
        with self.open() as s:
            self.assertEqual(s.cursor(), navoi.SyncCursor(0, False))
            with self.assertRaises(navoi.ConfigError):
                s.run()  # the first run needs a start
            seen = []
            s.set_progress(lambda sync: seen.append(sync.stat(navoi.SyncStat.FETCHED)))
            st = s.run(self.start)
            self.assertEqual(st.fetched, 3)
            self.assertEqual(st.seen, 3)
            self.assertEqual(st.incomplete, 0)
            self.assertGreaterEqual(st.requests, 4)  # a digest page and 3 invoices
            self.assertEqual(st.windows, 1)
            self.assertFalse(st.resumed)
            self.assertEqual(st, s.stats())
            self.assertEqual(s.stat(navoi.SyncStat.FETCHED), 3)
            self.assertTrue(seen)
            self.assertEqual(max(seen), 3)
            cur = s.cursor()
            self.assertFalse(cur.interrupted)
            self.assertGreater(cur.cursor_ms, navoi.results.to_ms(self.start))

            ids = s.list()
            self.assertEqual(len(ids), 3)
            self.assertEqual(sorted(i.split("/")[1] for i in ids), sorted(self.seeded))
            for i in ids:
                self.assertTrue(i.startswith("22222222/PY-IN-000"), i)
                inv = s.invoice(i)
                self.assertEqual(inv.id, i)
                self.assertEqual(inv.xml, self.seeded[inv.invoice_number])
                self.assertEqual(inv.supplier_tax_number, "22222222")
                self.assertEqual(inv.meta["customerTaxNumber"], "12345676")
                self.assertEqual(inv.meta["invoiceNetAmount"].split(".")[0], "616000")
                self.assertIn("insDate", inv.meta)
            self.assertEqual(s.list(limit=1), ids[:1])
            self.assertEqual(s.list(offset=1, limit=10), ids[1:])
            self.assertEqual(s.list(to=self.start), [])
            with self.assertRaises(navoi.NotFoundError):
                s.invoice("22222222/NO-SUCH/0/0000000000000000/1")

            csv = s.summary().splitlines()
            self.assertTrue(csv[0].startswith("id,invoiceNumber,"), csv[0])
            self.assertEqual(len(csv), 4)
            recs = s.summary_records()
            self.assertEqual(sorted(r["invoiceNumber"] for r in recs), sorted(self.seeded))
            self.assertTrue(all(r["supplierTaxNumber"] == "22222222" for r in recs))

            # incremental: nothing new, the stored ones are skipped
            st = s.run()
            self.assertEqual(st.fetched, 0)
            self.assertEqual(st.skipped, 3)

    def test_2_stopped_run_resumes(self):
        seed("PY-IN-0004")
        with self.open() as s:
            s.set_progress(lambda sync: False)
            with self.assertRaises(navoi.CallbackError):
                s.run()
            self.assertTrue(s.cursor().interrupted)

            def boom(sync):
                raise KeyError("from the hook")

            s.set_progress(boom)
            with self.assertRaises(KeyError):
                s.run()
            s.set_progress(None)
            st = s.run()
            self.assertTrue(st.resumed)
            self.assertFalse(s.cursor().interrupted)
            self.assertIn("PY-IN-0004", [i.split("/")[1] for i in s.list()])
            self.assertEqual(len(s.list()), 4)

    def test_3_closing_the_client_closes_its_sync(self):
        c = navoi.Client(**sh.client_config(sim))
        s = navoi.Sync.open_sqlite(c, Path(self.dir) / "borrow.db")
        c.close()
        self.assertTrue(s.closed)
        with self.assertRaises(ValueError):
            s.list()


class OutboxMetrics(unittest.TestCase):
    def test_metrics_after_a_submission(self):
        d = tempfile.mkdtemp(prefix="navoi-py-metrics-")
        self.addCleanup(shutil.rmtree, d, True)
        s2 = sh.Sim()  # its own ledger: the demo invoice is new there
        self.addCleanup(s2.stop)
        with navoi.Client(**sh.client_config(s2)) as c, \
                navoi.Outbox.open_sqlite(c, Path(d) / "outbox.db") as ob:
            ob.set_batch_policy(min_interval_ms=0)
            ob.set_poll_policy(first_ms=10, cap_ms=50)
            with c.invoice_from_file(sh.INVOICES / "demo-create-1.xml") as inv:
                ob.enqueue("M1", inv)
            m = ob.metrics()
            self.assertEqual(m.value("navoi_outbox_backlog_items"), 1)
            deadline = time.monotonic() + 60  # bounds a hang; not a timing assertion
            while not ob.item("M1").is_final:
                self.assertLess(time.monotonic(), deadline)
                if not ob.step():
                    time.sleep(0.02)
            self.assertEqual(ob.item("M1").state, navoi.ItemState.DONE)
            self.assertEqual(ob.item("M1").advice, "")
            text = m.refresh().text()
            for name in ("navoi_outbox_items", "navoi_outbox_backlog_items",
                         "navoi_outbox_enqueued_total", "navoi_outbox_submissions_total",
                         "navoi_outbox_processing_delay_seconds", "navoi_outbox_success_ratio",
                         "navoi_outbox_last_success_timestamp_seconds"):
                self.assertIn("\n# TYPE %s " % name, "\n" + text)
            self.assertEqual(m.value('navoi_outbox_items{state="DONE"}'), 1)
            self.assertEqual(m.value('navoi_outbox_submissions_total{outcome="done"}'), 1)
            self.assertEqual(m.value("navoi_outbox_backlog_items"), 0)
            self.assertGreater(m.value("navoi_outbox_last_success_timestamp_seconds"), 1.7e9)
            with self.assertRaises(navoi.NotFoundError):
                m.value("navoi_outbox_nope")
            self.assertIsNone(m.get("navoi_outbox_nope"))
            timeline = m.timeline(60_000).splitlines()
            self.assertEqual(timeline[0], "time_ms,enqueued,done,aborted,failed,"
                                          "needs_attention,backlog,delay_avg_ms,delay_max_ms")
            self.assertGreaterEqual(len(timeline), 2)
            with self.assertRaises(navoi.InvalidArgumentError):
                m.timeline(1000)
            one_shot = ob.metrics_text()
            self.assertIn('navoi_outbox_items{state="DONE"} 1', one_shot)
        self.assertTrue(m.closed)  # closing the outbox closed its metrics
        self.assertNotIn("metrics", navoi.live_handles())


if __name__ == "__main__":
    unittest.main()

"""No memory or handle growth across 10,000 calls.

Growth is measured as resident set size (/proc/self/statm) after a warm-up,
so leaks on the C side (a client, result or transaction never freed) show
up as well as Python-side ones; live C handles are counted by the binding.
No timing is asserted.
"""
import datetime as dt
import gc
import os
import shutil
import sys
import tempfile
import unittest
from decimal import Decimal
from pathlib import Path

import navoi
import simhelper as sh

N = 10_000
WARMUP = 500
# A leaked client, invoice or result costs far more than 200 bytes, so
# 10,000 leaks would be well over this; allocator noise stays under it.
MAX_GROWTH = 2 * 1024 * 1024

sim = None


def setUpModule():
    global sim
    sim = sh.Sim()


def tearDownModule():
    if sim:
        sim.stop()


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class NoGrowth(unittest.TestCase):
    def assert_no_growth(self, step, n=N):
        handles = navoi.live_handles()
        for i in range(WARMUP):
            step(i)
        gc.collect()
        before = rss()
        for i in range(n):
            step(i)
        gc.collect()
        grown = rss() - before
        sys.stderr.write("\n%s: RSS %+d bytes over %d calls " % (self.id(), grown, n))
        self.assertEqual(navoi.live_handles(), handles)
        self.assertLess(grown, MAX_GROWTH, "RSS grew by %d bytes over %d calls" % (grown, n))

    def test_clients_created_and_freed(self):
        cfg = sh.client_config(sim)

        def step(i):
            with navoi.Client(**cfg) as c:
                c.configure(query_timeout=9)

        self.assert_no_growth(step)

    def test_invoices_created_and_freed(self):
        xml = (sh.INVOICES / "demo-create-1.xml").read_bytes()

        def step(i):
            inv = navoi.Invoice(xml)
            assert inv.number == "DEMO-2026-0001"
            inv.close()

        self.assert_no_growth(step)

    def test_errors_raised(self):
        # Failing calls allocate messages on the handle and exceptions in Python.
        with navoi.Client() as c:
            def step(i):
                try:
                    c.configure(login="x")
                except navoi.InvalidArgumentError:
                    pass
                else:
                    raise AssertionError("no exception")

            self.assert_no_growth(step)

    def test_queries_against_simulator(self):
        # 10,000 query round trips: results and digest-query handles are
        # created and freed on every call, objects dropped by the caller.
        now = dt.datetime.now(dt.timezone.utc)
        with navoi.Client(**sh.client_config(sim)) as c:
            def step(i):
                if i % 2:
                    r = c.query_taxpayer("12345676")
                    assert r.meta["taxpayerValidity"] == "true"
                else:
                    r = c.query_invoice_digest(ins_date=(now - dt.timedelta(days=1), now))
                    assert r.current_page in (0, 1)

            self.assert_no_growth(step)

    def test_transactions_dropped_without_close(self):
        # Objects collected without close() free their handle too.
        with navoi.Client(**sh.client_config(sim)) as c:
            def step(i):
                t = c.query_transaction_status("0000000000000000")
                assert t.items == []
                del t

            self.assert_no_growth(step)


if __name__ == "__main__":
    unittest.main()


class NoGrowthNewHandles(unittest.TestCase):
    """Builder, findings, sync and metrics handles (issue 6's last sections)."""

    assert_no_growth = NoGrowth.assert_no_growth

    def test_builders_and_findings(self):
        xml = (sh.INVOICES / "demo-create-1.xml").read_bytes()
        bad = xml.replace(b"<quantity>40</quantity>", b"<quantity>41</quantity>")

        def step(i):
            b = navoi.InvoiceBuilder("MEM-%d" % i, "2026-11-02")
            b.set_supplier("12345676-2-41", "Navoi Demo Kft.", "HU", "1055", "Budapest", "Fő tér 1.")
            b.set_customer_private_person()
            b.line_set_vat_rate(b.add_line("Könyv", "3", "PIECE", Decimal("4990")), "0.05")
            assert b.amount(navoi.AmountKind.GROSS) == Decimal("15718.50")
            with b.build() as inv:
                assert not navoi.validate(inv).has_errors
            if i % 2:
                b.close()  # else dropped without close()
            assert navoi.validate(bad).codes[-1] == "INCORRECT_LINE_CALCULATION_NET_AMOUNT"

        self.assert_no_growth(step)

    def test_sync_and_metrics_reads(self):
        d = tempfile.mkdtemp(prefix="navoi-py-mem-")
        self.addCleanup(shutil.rmtree, d, True)
        xml = (sh.TEST_DATA / "bindings" / "inbound-from-22222222.xml").read_bytes()
        assert sim.admin("seed", xml) == "ok\n"
        start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
        with navoi.Client(**sh.client_config(sim)) as c, \
                navoi.Sync.open_sqlite(c, Path(d) / "sync.db", pace_ms=0) as s, \
                navoi.Outbox.open_sqlite(c, Path(d) / "outbox.db") as ob:
            assert s.run(start).fetched == 1
            inv_id = s.list()[0]
            with c.invoice_from_file(sh.INVOICES / "demo-create-2.xml") as inv:
                ob.enqueue("MEM-1", inv)

            def step(i):
                if i % 2:
                    assert s.invoice(inv_id).invoice_number == "BIND-IN-0001"
                    assert s.list() == [inv_id]
                else:
                    with ob.metrics() as m:
                        assert m.value("navoi_outbox_backlog_items") == 1
                        assert "navoi_outbox_items" in m.text()

            self.assert_no_growth(step)

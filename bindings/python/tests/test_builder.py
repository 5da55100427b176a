"""Invoice builder and pre-submission validator through the Python
binding; a built invoice is reported to navoi-sim and reaches DONE."""
import datetime as dt
import unittest
from decimal import Decimal

import navoi
import simhelper as sh
from navoi import _ffi

SCHEMAS = sh.NAV_DATA / "schemas"
sim = None


def setUpModule():
    global sim
    if "navoi_invoice_builder_new" in _ffi.load().missing:
        raise unittest.SkipTest("libnavoi built without the builder")
    sim = sh.Sim()


def tearDownModule():
    if sim:
        sim.stop()


def today():
    return dt.datetime.now(dt.timezone.utc).date()


def base_builder(number, issue_date=None):
    """2 x 1000.50 HUF at 27 % and 3 hours x 15000 HUF at 5 %, to 22222222."""
    b = navoi.InvoiceBuilder(number, issue_date or today())
    b.set_supplier("12345676-2-41", "Navoi Demo Kft.", "HU", "1055", "Budapest",
                   "Kossuth Lajos tér 1.")
    b.set_supplier_bank_account("11111111-22222222-33333333")
    b.set_customer_domestic("22222222-2-13", "Vevő Bt.", "HU", "2000", "Szentendre", "Fő tér 2.")
    b.set_payment("TRANSFER", today() + dt.timedelta(days=8)).set_appearance("ELECTRONIC")
    one = b.add_line("Szék", "2", "PIECE", Decimal("1000.50"))
    b.line_set_vat_rate(one, "0.27").line_set_nature(one, "PRODUCT")
    b.line_add_product_code(one, "VTSZ", "94017100")
    two = b.add_line("Tanácsadás", 3, "HOUR", "15000", discount=Decimal("500"))
    b.line_set_vat_rate(two, Decimal("0.05")).line_set_nature(two, "SERVICE")
    return b


def schema_client(**over):
    cfg = sh.client_config(sim, **over)
    if (SCHEMAS / "invoiceData.xsd").exists():
        cfg["schema_dir"] = SCHEMAS
    return navoi.Client(**cfg)


class Builder(unittest.TestCase):
    def test_amounts_are_exact_decimals(self):
        with base_builder("PY-AMT-1") as b:
            A = navoi.AmountKind
            self.assertEqual(b.amount(A.NET, 1), Decimal("2001.00"))
            self.assertEqual(b.amount(A.VAT, 1), Decimal("540.27"))
            self.assertEqual(b.amount(A.GROSS, 1), Decimal("2541.27"))
            self.assertEqual(b.amount(A.NET, 2), Decimal("44500.00"))
            self.assertEqual(b.amount(A.VAT, 2), Decimal("2225.00"))
            totals = b.amounts()
            self.assertEqual(totals[A.NET], Decimal("46501.00"))
            self.assertEqual(totals[A.VAT], Decimal("2765.27"))
            self.assertEqual(totals[A.GROSS], Decimal("49266.27"))
            self.assertEqual(totals[A.GROSS_HUF], Decimal("49266.27"))

    def test_foreign_currency(self):
        with navoi.InvoiceBuilder("PY-EUR-1", today()) as b:
            b.set_currency("EUR", Decimal("392.45"))
            line = b.add_line("Licenc", "1", "PIECE", "10.01")
            b.line_set_vat_rate(line, "0.27")
            self.assertEqual(b.amount(navoi.AmountKind.NET_HUF, line), Decimal("3928.42"))
            self.assertEqual(b.amount(navoi.AmountKind.VAT, line), Decimal("2.70"))

    def test_malformed_input_names_the_field(self):
        with navoi.InvoiceBuilder("PY-BAD-1", today()) as b:
            with self.assertRaises(navoi.InvalidArgumentError) as cm:
                b.set_supplier("123", "X", "HU", "1055", "Budapest", "Utca 1.")
            self.assertIn("tax number", cm.exception.message)
            self.assertEqual(b.errmsg, cm.exception.message)
            with self.assertRaises(TypeError):
                b.add_line("x", 1.5, "PIECE", "1")  # no binary floating point
            with self.assertRaises(navoi.NotFoundError):
                b.line_set_vat_rate(7, "0.27")
            with self.assertRaises(navoi.InvalidArgumentError) as cm:
                b.build()  # no supplier, customer or lines
            self.assertTrue(cm.exception.message)
        with self.assertRaises(navoi.InvalidArgumentError):
            navoi.InvoiceBuilder("PY-BAD-2", "2026-13-45")

    def test_built_invoice_validates_and_reaches_done(self):
        number = "PY-BUILD-%d" % (dt.datetime.now().timestamp() * 1000)
        with schema_client() as c, base_builder(number) as b:
            with b.build(navoi.Operation.CREATE, client=c) as inv:
                self.assertEqual(inv.number, number)
                self.assertEqual(inv.operation, navoi.Operation.CREATE)
                findings = navoi.validate(inv, c)
                self.assertFalse(findings.has_errors, [str(f) for f in findings])
                self.assertEqual(findings.errors, [])
                self.assertEqual(c.validate(inv.xml).codes, findings.codes)
                with c.manage_invoice([inv]) as txn:
                    txn.wait(timeout=60, interval=0.05)
                    self.assertEqual([i.status for i in txn.items], [navoi.Status.DONE])
            self.assertRegex(sim.admin("ledger?supplier=12345676&number=" + number),
                             r"^accepted=1 ")
            # the builder stays usable: a STORNO of it
            b.set_reference(number, 1, chain_last_line=2)
            with b.build(navoi.Operation.STORNO) as storno:
                self.assertEqual(storno.operation, navoi.Operation.STORNO)


class Validate(unittest.TestCase):
    def test_calculation_error_gives_navs_code(self):
        xml = (sh.INVOICES / "demo-create-1.xml").read_bytes()
        with schema_client() as c:
            self.assertEqual(c.validate(xml), [])
            bad = xml.replace(b"<quantity>40</quantity>", b"<quantity>41</quantity>")
            f = c.validate(bad)
            self.assertEqual(f.codes, ["INCORRECT_LINE_CALCULATION_NET_AMOUNT"])
            self.assertEqual(f[0].severity, navoi.Severity.WARN)
            self.assertFalse(f.has_errors)
            self.assertTrue(f[0].path.endswith("line[1]/lineAmountsNormal/lineNetAmountData/"
                                               "lineNetAmount"), f[0].path)
            self.assertIn("615000.00", f[0].message_en)
            self.assertIn("615000.00", f[0].message_hu)

    def test_blocking_error(self):
        # an invoice of another supplier than the client's tax number
        xml = (sh.TEST_DATA / "bindings" / "inbound-from-22222222.xml").read_bytes()
        with schema_client() as c:
            f = c.validate(xml, navoi.Operation.CREATE)
            self.assertTrue(f.has_errors)
            self.assertEqual([x.code for x in f.errors], ["SUPPLIER_TAX_NUMBER_MISMATCH"])
            self.assertTrue(f[0].is_error)
            with c.invoice(xml) as inv:
                self.assertEqual(navoi.validate(inv, c).codes, ["SUPPLIER_TAX_NUMBER_MISMATCH"])

    def test_not_well_formed(self):
        f = navoi.validate("<InvoiceData")
        self.assertEqual(f.codes, ["SCHEMA_VIOLATION"])
        self.assertTrue(f.has_errors)
        f = navoi.validate((sh.INVOICES / "demo-create-1.xml").read_bytes())
        self.assertEqual(f.codes, ["NAVOI_SCHEMA_NOT_CHECKED"])  # no client, no schemas
        with self.assertRaises(navoi.InvalidArgumentError):
            navoi.validate(b"<InvoiceData/>", operation=9)  # no such operation


if __name__ == "__main__":
    unittest.main()

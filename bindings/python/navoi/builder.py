"""builder.py - InvoiceBuilder (navoi_invoice_builder) and the
pre-submission validator (navoi_validate*, navoi_findings).

    b = (navoi.InvoiceBuilder("INV-2026-0001", "2026-11-02")
         .set_supplier("12345676-2-41", "Navoi Demo Kft.", "HU", "1055", "Budapest",
                       "Kossuth tér 1.")
         .set_customer_domestic("22222222-2-13", "Vevő Bt.", "HU", "2000", "Szentendre",
                                "Fő tér 2."))
    line = b.add_line("Szék", "2", "PIECE", Decimal("1000"))
    b.line_set_vat_rate(line, "0.27")
    with b.build(client=client) as inv:
        findings = navoi.validate(inv, client)

Amounts go in as decimal strings, int or decimal.Decimal and come out as
decimal.Decimal: never binary floating point (a float is refused).
"""
from __future__ import annotations

import ctypes
import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Dict, List, Optional, Union

from . import _ffi
from ._handle import Handle, new_handle
from .enums import AmountKind, InvoiceCategory, Operation, Severity
from .errors import error_category, error_class, from_code, strerror
from .invoice import Invoice

if TYPE_CHECKING:
    from .client import Client

Amount = Union[str, int, Decimal]
DateLike = Union[str, _dt.date]


def _amount(v: Optional[Amount], what: str) -> Optional[bytes]:
    """A decimal string for the C API: str as given, int, or a finite
    Decimal in plain notation (no exponent)."""
    if v is None:
        return None
    if isinstance(v, bool) or isinstance(v, float):
        raise TypeError("%s: give a decimal string, int or decimal.Decimal, not %s "
                        "(binary floating point cannot hold amounts exactly)"
                        % (what, type(v).__name__))
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise ValueError("%s: %s is not a finite amount" % (what, v))
        return _ffi.cstr(format(v, "f"))
    if isinstance(v, int):
        return _ffi.cstr(str(v))
    if isinstance(v, str):
        return _ffi.cstr(v)
    raise TypeError("%s: give a decimal string, int or decimal.Decimal" % what)


def _date(v: Optional[DateLike]) -> Optional[bytes]:
    if v is None:
        return None
    if isinstance(v, _dt.datetime):
        raise TypeError("give a date (YYYY-MM-DD or datetime.date), not a datetime")
    if isinstance(v, _dt.date):
        return v.isoformat().encode()
    return _ffi.cstr(v)


class InvoiceBuilder(Handle):
    """Builds an InvoiceData document without writing XML. The setters
    mirror navoi_invoice_builder_*; each copies its inputs, raises
    InvalidArgumentError naming the field for a malformed value (NotFoundError
    for an unknown line number) and returns the builder, so calls chain.
    add_line() returns the line number. One thread at a time."""

    _kind = "invoice_builder"
    _free_fn = "navoi_invoice_builder_free"

    def __init__(self, invoice_number: str, issue_date: DateLike,
                 category: InvoiceCategory = InvoiceCategory.NORMAL) -> None:
        lib = _ffi.load()
        rc, ptr = new_handle(lib.navoi_invoice_builder_new, _ffi.cstr(invoice_number),
                             _date(issue_date), int(category))
        if rc != 0:
            raise from_code(rc, None, "invoice builder")
        super().__init__(ptr)

    def _check(self, rc: int, what: str, client: Optional["Client"] = None) -> None:
        if rc == 0:
            return
        msg = _ffi.pystr(self._lib.navoi_invoice_builder_errmsg(self._p)) or ""
        if client is not None and not client.closed:
            err = from_code(rc, client._p, what)
            if msg and not _ffi.pystr(self._lib.navoi_client_errmsg(client._p)):
                err = type(err)(rc, msg, err.nav_error_code, err.http_status, err.category, what)
            raise err
        raise error_class(rc)(rc, msg or "%s: %s" % (what, strerror(rc)), "", 0,
                              error_category(rc), what)

    @property
    def errmsg(self) -> str:
        """Message of the last failed call ("" if none)."""
        return _ffi.pystr(self._lib.navoi_invoice_builder_errmsg(self._p)) or ""

    # ---- parties ----

    def set_supplier(self, tax_number: str, name: str, country_code: str, postal_code: str,
                     city: str, address_detail: str) -> "InvoiceBuilder":
        """supplierInfo; tax_number "12345678-1-42" or "12345678142"."""
        s = _ffi.cstr
        self._check(self._lib.navoi_invoice_builder_set_supplier(
            self._p, s(tax_number), s(name), s(country_code), s(postal_code), s(city),
            s(address_detail)), "supplier")
        return self

    def set_supplier_bank_account(self, account: Optional[str]) -> "InvoiceBuilder":
        """supplierBankAccountNumber, or None to clear it."""
        self._check(self._lib.navoi_invoice_builder_set_supplier_bank_account(
            self._p, _ffi.cstr(account)), "supplier_bank_account")
        return self

    def set_customer_domestic(self, tax_number: str, name: str, country_code: str,
                              postal_code: str, city: str, address_detail: str
                              ) -> "InvoiceBuilder":
        """A Hungarian VAT subject (customerVatStatus DOMESTIC)."""
        s = _ffi.cstr
        self._check(self._lib.navoi_invoice_builder_set_customer_domestic(
            self._p, s(tax_number), s(name), s(country_code), s(postal_code), s(city),
            s(address_detail)), "customer")
        return self

    def set_customer_private_person(self) -> "InvoiceBuilder":
        """A private person (no name, address or tax number is sent)."""
        self._check(self._lib.navoi_invoice_builder_set_customer_private_person(self._p),
                    "customer")
        return self

    def set_customer_eu(self, community_vat_number: str, name: str, country_code: str,
                        postal_code: str, city: str, address_detail: str) -> "InvoiceBuilder":
        """A business in another EU member state (communityVatNumber)."""
        s = _ffi.cstr
        self._check(self._lib.navoi_invoice_builder_set_customer_eu(
            self._p, s(community_vat_number), s(name), s(country_code), s(postal_code),
            s(city), s(address_detail)), "customer")
        return self

    def set_customer_third_country(self, tax_id: Optional[str], name: str, country_code: str,
                                   postal_code: str, city: str, address_detail: str
                                   ) -> "InvoiceBuilder":
        """A business outside the EU (thirdStateTaxId, or None)."""
        s = _ffi.cstr
        self._check(self._lib.navoi_invoice_builder_set_customer_third_country(
            self._p, s(tax_id), s(name), s(country_code), s(postal_code), s(city),
            s(address_detail)), "customer")
        return self

    # ---- head ----

    def set_delivery_date(self, date: DateLike) -> "InvoiceBuilder":
        self._check(self._lib.navoi_invoice_builder_set_delivery_date(self._p, _date(date)),
                    "delivery_date")
        return self

    def set_currency(self, currency_code: str, exchange_rate: Amount) -> "InvoiceBuilder":
        """ISO 4217 code and HUF per unit ("392.45"; "1" for HUF)."""
        self._check(self._lib.navoi_invoice_builder_set_currency(
            self._p, _ffi.cstr(currency_code), _amount(exchange_rate, "exchange_rate")),
            "currency")
        return self

    def set_payment(self, method: Optional[str] = None,
                    date: Optional[DateLike] = None) -> "InvoiceBuilder":
        """paymentMethod (TRANSFER, CASH, CARD, VOUCHER, OTHER) and paymentDate."""
        self._check(self._lib.navoi_invoice_builder_set_payment(
            self._p, _ffi.cstr(method), _date(date)), "payment")
        return self

    def set_appearance(self, appearance: str) -> "InvoiceBuilder":
        """PAPER (default), ELECTRONIC, EDI or UNKNOWN."""
        self._check(self._lib.navoi_invoice_builder_set_appearance(
            self._p, _ffi.cstr(appearance)), "appearance")
        return self

    def set_reference(self, original_invoice_number: str, modification_index: int,
                      modify_without_master: bool = False,
                      chain_last_line: int = 0) -> "InvoiceBuilder":
        """Makes the document a MODIFY or STORNO of original_invoice_number."""
        self._check(self._lib.navoi_invoice_builder_set_reference(
            self._p, _ffi.cstr(original_invoice_number), int(modification_index),
            1 if modify_without_master else 0, int(chain_last_line)), "reference")
        return self

    # ---- lines ----

    def add_line(self, description: str, quantity: Amount, unit: str, unit_price: Amount,
                 discount: Optional[Amount] = None) -> int:
        """Adds a line (net unit price; gross on SIMPLIFIED invoices) and
        returns its number (1, 2, ...). Give it a VAT treatment next."""
        line = ctypes.c_int32()
        self._check(self._lib.navoi_invoice_builder_add_line(
            self._p, _ffi.cstr(description), _amount(quantity, "quantity"), _ffi.cstr(unit),
            _amount(unit_price, "unit_price"), _amount(discount, "discount"),
            ctypes.byref(line)), "line")
        return line.value

    def line_set_vat_rate(self, line: int, rate: Amount) -> "InvoiceBuilder":
        """vatPercentage ("0.27"); vatContent on SIMPLIFIED invoices."""
        self._check(self._lib.navoi_invoice_builder_line_set_vat_rate(
            self._p, int(line), _amount(rate, "rate")), "vat_rate")
        return self

    def line_set_vat_exemption(self, line: int, exemption_case: str,
                               reason: str) -> "InvoiceBuilder":
        """vatExemption: AAM, TAM, KBAET, KBAUK, EAM or NAM, with the legal reason."""
        self._check(self._lib.navoi_invoice_builder_line_set_vat_exemption(
            self._p, int(line), _ffi.cstr(exemption_case), _ffi.cstr(reason)), "vat_exemption")
        return self

    def line_set_vat_out_of_scope(self, line: int, out_of_scope_case: str,
                                  reason: str) -> "InvoiceBuilder":
        """vatOutOfScope: ATK, EUFAD37, EUFADE, EUE or HO, with the reason."""
        self._check(self._lib.navoi_invoice_builder_line_set_vat_out_of_scope(
            self._p, int(line), _ffi.cstr(out_of_scope_case), _ffi.cstr(reason)),
            "vat_out_of_scope")
        return self

    def line_set_reverse_charge(self, line: int) -> "InvoiceBuilder":
        """vatDomesticReverseCharge (the customer must be DOMESTIC)."""
        self._check(self._lib.navoi_invoice_builder_line_set_reverse_charge(self._p, int(line)),
                    "reverse_charge")
        return self

    def line_add_product_code(self, line: int, category: str, value: str) -> "InvoiceBuilder":
        """productCode: VTSZ, SZJ, KN, TESZOR, OWN, ..."""
        self._check(self._lib.navoi_invoice_builder_line_add_product_code(
            self._p, int(line), _ffi.cstr(category), _ffi.cstr(value)), "product_code")
        return self

    def line_set_nature(self, line: int, nature: str) -> "InvoiceBuilder":
        """lineNatureIndicator: PRODUCT, SERVICE or OTHER."""
        self._check(self._lib.navoi_invoice_builder_line_set_nature(
            self._p, int(line), _ffi.cstr(nature)), "nature")
        return self

    def line_set_delivery_date(self, line: int, date: DateLike) -> "InvoiceBuilder":
        """lineDeliveryDate (AGGREGATE invoices)."""
        self._check(self._lib.navoi_invoice_builder_line_set_delivery_date(
            self._p, int(line), _date(date)), "line_delivery_date")
        return self

    def line_set_number_reference(self, line: int, reference: int) -> "InvoiceBuilder":
        """lineNumberReference (MODIFY/STORNO)."""
        self._check(self._lib.navoi_invoice_builder_line_set_number_reference(
            self._p, int(line), int(reference)), "number_reference")
        return self

    # ---- results ----

    def amount(self, which: AmountKind, line: int = 0) -> Decimal:
        """One computed amount of a line, or of the invoice with line=0."""
        out = ctypes.c_char_p()
        self._check(self._lib.navoi_invoice_builder_amount(self._p, int(line), int(which),
                                                           ctypes.byref(out)), "amount")
        return Decimal(_ffi.pystr(out.value) or "0")

    def amounts(self, line: int = 0) -> Dict[AmountKind, Decimal]:
        """Every AmountKind of a line, or of the invoice with line=0."""
        return {k: self.amount(k, line) for k in AmountKind}

    def build(self, operation: Operation = Operation.CREATE,
              client: Optional["Client"] = None) -> Invoice:
        """The InvoiceData document as an Invoice. With a client, its schema
        directory also validates the document against invoiceData.xsd. The
        builder stays usable."""
        out = ctypes.c_void_p()
        cp = client._p if client is not None else None
        rc = self._lib.navoi_invoice_builder_build(self._p, cp, int(operation), ctypes.byref(out))
        self._check(rc, "build", client)
        inv = Invoice.__new__(Invoice)
        Handle.__init__(inv, out.value or 0)
        return inv

    def __repr__(self) -> str:
        return "<navoi.InvoiceBuilder%s>" % (" closed" if self.closed else "")


# ---- validation ----

@dataclass(frozen=True)
class Finding:
    """One validation finding: NAV's validation code where NAV has one
    (ERROR: NAV would abort; WARN: NAV would warn), NAVOI_* otherwise."""
    code: str
    severity: Severity
    path: str
    message_en: str
    message_hu: str

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def __str__(self) -> str:
        return "%s %s at %s: %s" % (self.severity.name if isinstance(self.severity, Severity)
                                    else self.severity, self.code, self.path, self.message_en)


class Findings(list):  # list of Finding
    """The findings of one validation (a list), with has_errors."""

    has_errors: bool = False

    @property
    def codes(self) -> List[str]:
        return [f.code for f in self]

    @property
    def errors(self) -> List[Finding]:
        return [f for f in self if f.is_error]


def _take_findings(lib: _ffi.Lib, ptr: int) -> Findings:
    _ffi.track("findings", +1)
    try:
        out = Findings()
        for i in range(lib.navoi_findings_count(ptr)):
            code, path, en, hu = (ctypes.c_char_p() for _ in range(4))
            sev = ctypes.c_int()
            if lib.navoi_findings_get(ptr, i, ctypes.byref(code), ctypes.byref(sev),
                                      ctypes.byref(path), ctypes.byref(en),
                                      ctypes.byref(hu)) != 0:
                continue
            try:
                severity = Severity(sev.value)
            except ValueError:
                severity = sev.value  # type: ignore[assignment]
            out.append(Finding(_ffi.pystr(code.value) or "", severity,
                               _ffi.pystr(path.value) or "", _ffi.pystr(en.value) or "",
                               _ffi.pystr(hu.value) or ""))
        out.has_errors = bool(lib.navoi_findings_has_errors(ptr))
        return out
    finally:
        lib.navoi_findings_free(ptr)
        _ffi.track("findings", -1)


def validate(document: Union[Invoice, bytes, bytearray, str],
             client: Optional["Client"] = None,
             operation: Optional[Operation] = None) -> Findings:
    """Runs the pre-submission checks (invoiceData.xsd when the client has a
    schema directory, and NAV's business rules) on an Invoice or on
    InvoiceData XML (plain or gzip; it need not even be well-formed).
    For XML, operation None infers it (MODIFY when the document has an
    invoiceReference, else CREATE); an Invoice carries its own. Returns the
    findings, possibly none; raises only for bad arguments."""
    lib = _ffi.load()
    cp = client._p if client is not None else None
    out = ctypes.c_void_p()
    if isinstance(document, Invoice):
        if operation is not None and int(operation) != int(document.operation):
            raise ValueError("an Invoice carries its operation; got %s for a %s"
                             % (Operation(operation).name, document.operation.name))
        rc = lib.navoi_validate(cp, document._p, ctypes.byref(out))
    else:
        data = document.encode("utf-8") if isinstance(document, str) else bytes(document)
        rc = lib.navoi_validate_xml(cp, data, len(data), int(operation or 0), ctypes.byref(out))
    if rc != 0:
        if out.value:
            lib.navoi_findings_free(out)
        raise from_code(rc, cp, "validate")
    return _take_findings(lib, out.value or 0)

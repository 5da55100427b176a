"""results.py - query results as plain Python objects, and the parameters
of queryInvoiceDigest."""
from __future__ import annotations

import ctypes
import datetime as _dt
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

from . import _ffi
from ._handle import new_handle
from .enums import Direction, Operation, QueryOperator
from .errors import check

Record = Dict[str, str]
Instant = Union[int, _dt.datetime]

# Response-level values outside the records that navoi.h documents
# (navoi_result_meta); absent ones are left out of QueryResult.meta.
META_NAMES = ("currentPage", "availablePage", "invoiceCheckResult", "taxpayerValidity",
              "infoDate")


@dataclass(frozen=True)
class QueryResult:
    """Records of a query response: each record maps field paths
    ("invoiceNumber", "auditData/insdate", "x/y[2]/z", "path@attr") to text,
    in document order. meta holds response-level values (currentPage,
    availablePage, taxpayerValidity, infoDate ...). content is the decoded
    invoice XML of queryInvoiceData."""
    records: List[Record] = field(default_factory=list)
    meta: Dict[str, str] = field(default_factory=dict)
    content: Optional[bytes] = None

    @property
    def record(self) -> Optional[Record]:
        """The first record, or None."""
        return self.records[0] if self.records else None

    @property
    def current_page(self) -> Optional[int]:
        v = self.meta.get("currentPage")
        return int(v) if v is not None else None

    @property
    def available_page(self) -> Optional[int]:
        v = self.meta.get("availablePage")
        return int(v) if v is not None else None

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records)


def take_result(ptr: int) -> QueryResult:
    """Copies a navoi_result into a QueryResult and frees it."""
    lib = _ffi.load()
    _ffi.track("result", +1)
    try:
        records = []
        for i in range(lib.navoi_result_count(ptr)):
            rec: Record = {}
            for k in range(lib.navoi_result_field_count(ptr, i)):
                name = _ffi.pystr(lib.navoi_result_field_name(ptr, i, k))
                if name is not None:
                    rec[name] = _ffi.pystr(lib.navoi_result_field_value(ptr, i, k)) or ""
            records.append(rec)
        meta = {}
        for m in META_NAMES:
            v = lib.navoi_result_meta(ptr, m.encode())
            if v is not None:
                meta[m] = _ffi.pystr(v) or ""
        n = ctypes.c_size_t()
        c = lib.navoi_result_content(ptr, ctypes.byref(n))
        content = ctypes.string_at(c, n.value) if c else None
        return QueryResult(records, meta, content)
    finally:
        lib.navoi_result_free(ptr)
        _ffi.track("result", -1)


def to_ms(t: Instant) -> int:
    """ms since the epoch (UTC) of an int or an aware datetime."""
    if isinstance(t, _dt.datetime):
        if t.tzinfo is None:
            raise ValueError("naive datetime: give a timezone (datetime.timezone.utc)")
        return int(t.timestamp() * 1000)
    return int(t)


@dataclass
class DigestQuery:
    """Parameters of queryInvoiceDigest. Exactly one mandatory criterion:
    issue_date, ins_date or original_invoice_number.

    params: additional criteria by XSD name (taxNumber, groupMemberTaxNumber,
    name, invoiceCategory, paymentMethod, invoiceAppearance, source,
    currency). relations: (field, QueryOperator, value) with field one of
    invoiceDelivery, paymentDate, invoiceNetAmount, invoiceNetAmountHUF,
    invoiceVatAmount, invoiceVatAmountHUF. transaction: (transactionId,
    index or 0, Operation or 0).
    """
    direction: Direction = Direction.OUTBOUND
    page: int = 1
    issue_date: Optional[Tuple[str, str]] = None
    ins_date: Optional[Tuple[Instant, Instant]] = None
    original_invoice_number: Optional[str] = None
    params: Dict[str, str] = field(default_factory=dict)
    relations: Sequence[Tuple[str, QueryOperator, str]] = field(default_factory=list)
    transaction: Optional[Tuple[str, int, Union[Operation, int]]] = None

    def _build(self) -> int:
        """A navoi_digest_query handle with these parameters (caller frees)."""
        lib = _ffi.load()
        rc, q = new_handle(lib.navoi_digest_query_new, int(self.direction), int(self.page))
        check(rc, None, "digest query")
        _ffi.track("digest_query", +1)
        try:
            if self.issue_date is not None:
                check(lib.navoi_digest_query_set_issue_date(
                    q, _ffi.cstr(self.issue_date[0]), _ffi.cstr(self.issue_date[1])),
                    None, "issue_date")
            if self.ins_date is not None:
                check(lib.navoi_digest_query_set_ins_date(
                    q, to_ms(self.ins_date[0]), to_ms(self.ins_date[1])), None, "ins_date")
            if self.original_invoice_number is not None:
                check(lib.navoi_digest_query_set_original_invoice_number(
                    q, _ffi.cstr(self.original_invoice_number)), None, "original_invoice_number")
            for name, value in self.params.items():
                check(lib.navoi_digest_query_set_param(q, _ffi.cstr(name), _ffi.cstr(value)),
                      None, "param %s" % name)
            for fld, op, value in self.relations:
                check(lib.navoi_digest_query_add_relation(q, _ffi.cstr(fld), int(op),
                                                          _ffi.cstr(value)),
                      None, "relation %s" % fld)
            if self.transaction is not None:
                tid, index, op = self.transaction
                check(lib.navoi_digest_query_set_transaction(q, _ffi.cstr(tid), int(index),
                                                             int(op)), None, "transaction")
            check(lib.navoi_digest_query_set_page(q, int(self.page)), None, "page")
        except BaseException:
            free_digest_query(q)
            raise
        return q


def free_digest_query(q: int) -> None:
    _ffi.load().navoi_digest_query_free(q)
    _ffi.track("digest_query", -1)

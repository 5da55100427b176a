"""navoi - Python bindings of libnavoi (NAV Online Számla API v3.0).

Loads libnavoi.so.0 with ctypes (no compiler, no install-time build); the
C declarations are derived from navoi.h by the build (see _ffi.py).

    import navoi
    with navoi.Client(login="mylogin123", password=pw, tax_number="12345678",
                      signing_key_file="sign.key", exchange_key_file="exchange.key",
                      software=navoi.Software("HU12345678-ERP0001", "My ERP",
                                              dev_name="Me", dev_contact="me@example.com"),
                      ) as client, client.invoice_from_file("invoice.xml") as inv:
        txn = client.manage_invoice([inv], compress=True).wait()
"""
from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass
from typing import Union

from . import _ffi
from ._ffi import LoadError, live_handles
from .builder import Finding, Findings, InvoiceBuilder, validate
from .client import Annulment, Client, Software
from .conncheck import ConnectionCheck, conn_status_name, diagnosis_name
from .enums import (AmountKind, AnnulmentCode, Category, ConnStatus, Diagnosis, Direction,
                    Environment, ErrorCode, InvoiceCategory, InvoiceHashMode, ItemState, LogLevel,
                    MessageKind, Operation, QueryOperator, Severity, SoftwareOperation, Status,
                    SyncFormat, SyncStat, ValidationMode)
from .errors import (AmbiguousOutcomeError, CallbackError, ConfigError, CryptoError, FileIOError,
                     HTTPStatusError, InvalidArgumentError, KeyFormatError, NavError, NavoiError,
                     NavTimeoutError, NetworkError, NotFoundError, OutOfMemoryError,
                     ProtocolError, SchemaError, SignatureMismatchError, StateError, TLSError,
                     TooBigError, UnsafeKeyFileError, ValidationError, XMLError, check,
                     error_category, strerror)
from .invoice import Invoice
from .outbox import HistoryEntry, ItemError, Outbox, OutboxItem
from .outbox import state_name as outbox_state_name
from .results import DigestQuery, QueryResult
from .sync import Metrics, StoredInvoice, Sync, SyncCursor, SyncStats
from .txn import (AnnulmentDecision, MessagePointer, Transaction, TransactionItem,
                  ValidationMessage)

__all__ = [
    "Client", "Software", "Annulment", "Invoice", "Transaction", "TransactionItem",
    "ValidationMessage", "MessagePointer", "AnnulmentDecision", "QueryResult", "DigestQuery",
    "Outbox", "OutboxItem", "ItemError", "HistoryEntry", "outbox_state_name",
    "SignCheck", "version", "version_num", "strerror", "status_name", "error_category",
    "secret_file_read", "sign_check", "live_handles", "LoadError",
    "ErrorCode", "Category", "Environment", "SoftwareOperation", "Operation", "AnnulmentCode",
    "Direction", "Status", "ItemState", "MessageKind", "Severity", "InvoiceHashMode", "QueryOperator",
    "LogLevel", "ValidationMode",
    "InvoiceBuilder", "Finding", "Findings", "validate", "InvoiceCategory", "AmountKind",
    "ConnectionCheck", "ConnStatus", "Diagnosis", "conn_status_name", "diagnosis_name",
    "Sync", "SyncStats", "SyncCursor", "StoredInvoice", "SyncStat", "SyncFormat", "Metrics",
    "NavoiError", "InvalidArgumentError", "OutOfMemoryError", "FileIOError", "ConfigError",
    "KeyFormatError", "UnsafeKeyFileError", "XMLError", "SchemaError", "NetworkError",
    "NavTimeoutError", "TLSError", "HTTPStatusError", "NavError", "ProtocolError", "TooBigError",
    "CryptoError", "CallbackError", "NotFoundError", "StateError", "AmbiguousOutcomeError",
    "SignatureMismatchError", "ValidationError",
]


def version() -> str:
    """Runtime version of libnavoi, e.g. "0.1.0"."""
    return _ffi.pystr(_ffi.load().navoi_version()) or ""


def version_num() -> int:
    """(major << 16) | (minor << 8) | patch."""
    return int(_ffi.load().navoi_version_num())


def status_name(status: int) -> str:
    """"RECEIVED" ... "ABORTED", "UNKNOWN"."""
    return _ffi.pystr(_ffi.load().navoi_status_name(int(status))) or ""


def secret_file_read(path: Union[str, "os.PathLike[str]"]) -> bytearray:
    """Reads a key or password file (regular, owned by you, mode 0600/0400)
    with one trailing line break removed. Returns a bytearray so you can
    wipe it; Client(password_file=...) avoids the copy altogether."""
    lib = _ffi.load()
    out = ctypes.c_void_p()
    check(lib.navoi_secret_file_read(_ffi.cstr(os.fspath(path)), ctypes.byref(out)),
          None, "secret file")
    try:
        n = _strlen(out.value)
        buf = bytearray(n)
        if n:
            ctypes.memmove((ctypes.c_char * n).from_buffer(buf), out.value, n)
        return buf
    finally:
        lib.navoi_free(out)


def _strlen(ptr: int) -> int:
    # libc strlen: measuring through a c_char_p would copy the secret into bytes
    strlen = ctypes.CDLL(None).strlen
    strlen.restype, strlen.argtypes = ctypes.c_size_t, [ctypes.c_void_p]
    return int(strlen(ptr))


@dataclass(frozen=True)
class SignCheck:
    """Outcome of sign_check(): ok, and the human-readable report."""
    ok: bool
    report: str


def sign_check(xml: Union[bytes, str], sign_key: Union[str, bytes, bytearray]) -> SignCheck:
    """Recomputes the requestSignature of a saved NAV request. A mismatch is
    SignCheck(ok=False, report=...); a document that is not a NAV request
    raises XMLError."""
    from .client import _secret_call

    lib = _ffi.load()
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    report = ctypes.c_void_p()
    rc = _secret_call(lambda k: lib.navoi_sign_check(data, len(data), k, ctypes.byref(report)),
                      sign_key)
    try:
        text = ctypes.string_at(report.value).decode("utf-8", "replace") if report.value else ""
    finally:
        lib.navoi_free(report)
    if rc == lib.const.NAVOI_ESIGNATURE:
        return SignCheck(False, text)
    check(rc, None, "sign_check")
    return SignCheck(True, text)

"""client.py - Client: configuration, credentials and the ten NAV
operations (navoi_client handle)."""
from __future__ import annotations

import ctypes
import datetime as _dt
import os
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Sequence, Tuple, Union

from . import _ffi
from ._handle import Handle, new_handle
from .enums import (AnnulmentCode, Direction, Environment, InvoiceHashMode, LogLevel, Operation,
                    SoftwareOperation)
from .errors import check, from_code
from .conncheck import ConnectionCheck, _enum
from .enums import ConnStatus, Diagnosis
from .invoice import Invoice, PathLike
from .results import DigestQuery, Instant, QueryResult, free_digest_query, take_result, to_ms
from .txn import Transaction

if TYPE_CHECKING:
    from .builder import Findings

Secret = Union[str, bytes, bytearray]
LogCallback = Callable[[LogLevel, str, str], Any]


@dataclass(frozen=True)
class Software:
    """The software block NAV receives with every request."""
    id: str                      # softwareId, 18 characters of [0-9A-Z-]
    name: str
    operation: SoftwareOperation = SoftwareOperation.LOCAL
    main_version: str = "1.0"
    dev_name: str = ""
    dev_contact: str = ""        # an e-mail address
    dev_country: Optional[str] = None
    dev_tax_number: Optional[str] = None


@dataclass(frozen=True)
class Annulment:
    """One technical annulment of manageAnnulment."""
    reference: str               # invoice or amending-document number
    code: AnnulmentCode
    reason: str


def _secret_call(fn: Callable[[Any], int], value: Secret) -> int:
    """Calls fn with a NUL-terminated C copy of the secret and wipes that
    copy afterwards. A str must be encoded first; that immutable temporary
    cannot be wiped, so pass bytearray (and wipe it yourself) or use the
    *_file options when this matters."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not isinstance(value, (bytes, bytearray)):
        raise TypeError("secrets are str, bytes or bytearray")
    if value.find(b"\0") >= 0:
        raise ValueError("secret contains a NUL character")
    n = len(value)
    buf = ctypes.create_string_buffer(n + 1)
    try:
        if n:
            src = (ctypes.c_char * n).from_buffer(value) if isinstance(value, bytearray) else value
            ctypes.memmove(buf, src, n)
            del src
        return fn(buf)
    finally:
        ctypes.memset(buf, 0, n + 1)


def _secrets_call(fn: Callable[..., int], *values: Optional[Secret]) -> int:
    """_secret_call for several secrets, each of which may be None (passed
    as NULL): every C copy is wiped after the call."""
    bufs: list = []
    try:
        for v in values:
            if v is None:
                bufs.append(None)
                continue
            if isinstance(v, str):
                v = v.encode("utf-8")
            if not isinstance(v, (bytes, bytearray)):
                raise TypeError("secrets are str, bytes or bytearray")
            if v.find(b"\0") >= 0:
                raise ValueError("secret contains a NUL character")
            n = len(v)
            buf = ctypes.create_string_buffer(n + 1)
            bufs.append(buf)
            if n:
                src = (ctypes.c_char * n).from_buffer(v) if isinstance(v, bytearray) else v
                ctypes.memmove(buf, src, n)
                del src
        return fn(*bufs)
    finally:
        for b in bufs:
            if b is not None:
                ctypes.memset(b, 0, len(b))


def _secret_file_call(lib: _ffi.Lib, path: PathLike, fn: Callable[[Any], int],
                      what: str) -> int:
    """Reads a key file in C and hands the C buffer straight to fn: the
    secret never becomes a Python object. Raises for a file that cannot be
    read or is unsafe; returns fn's code."""
    out = ctypes.c_void_p()
    rc = lib.navoi_secret_file_read(_ffi.cstr(os.fspath(path)), ctypes.byref(out))
    check(rc, None, what)
    try:
        return fn(ctypes.cast(out, ctypes.c_char_p))
    finally:
        lib.navoi_free(out)


class Client(Handle):
    """A NAV client, configured with keyword arguments (see configure()).

    ::

        with navoi.Client(login=..., password=..., tax_number=..., signing_key=...,
                          exchange_key=..., software=navoi.Software(...)) as c:
            c.query_taxpayer("12345678")

    A client is used by one thread at a time; use one client per thread.
    """

    _kind = "client"
    _free_fn = "navoi_client_free"

    def __init__(self, **config: Any) -> None:
        lib = _ffi.load()
        rc, ptr = new_handle(lib.navoi_client_new)
        check(rc)
        super().__init__(ptr)
        self._log_cb: Any = None
        # Outboxes borrow this client's handle (navoi.h: the client must
        # outlive them); close() closes them first instead of leaving them
        # with a dangling pointer.
        self._borrowers: "weakref.WeakSet[Handle]" = weakref.WeakSet()
        try:
            self.configure(**config)
        except BaseException:
            self.close()
            raise

    # ---- configuration ----

    def configure(self, *, environment: Optional[Environment] = None,
                  base_url: Optional[str] = None, login: Optional[str] = None,
                  password: Optional[Secret] = None, password_file: Optional[PathLike] = None,
                  password_hash: Optional[str] = None, tax_number: Optional[str] = None,
                  signing_key: Optional[Secret] = None,
                  signing_key_file: Optional[PathLike] = None,
                  exchange_key: Optional[Secret] = None,
                  exchange_key_file: Optional[PathLike] = None,
                  software: Optional[Software] = None, ca_file: Optional[PathLike] = None,
                  connect_timeout: Optional[float] = None,
                  query_timeout: Optional[float] = None,
                  manage_timeout: Optional[float] = None,
                  max_response: Optional[int] = None, schema_dir: Optional[PathLike] = None,
                  invoice_hash_mode: Optional[InvoiceHashMode] = None,
                  log: Optional[LogCallback] = None,
                  log_level: LogLevel = LogLevel.INFO) -> "Client":
        """Applies settings; None leaves a setting as it is.

        environment (Environment.TEST default) or base_url (e.g. the local
        simulator); login; password (hashed at once by libnavoi),
        password_hash (128 hex) or password_file; tax_number; signing_key
        or signing_key_file (32 chars); exchange_key or exchange_key_file
        (16 chars); software (Software); ca_file; connect/query/manage
        timeouts in seconds; max_response bytes; schema_dir (NAV XSDs:
        validate invoices and requests); invoice_hash_mode; log, a callable
        (level, correlation_id, message) receiving finished log lines up to
        log_level.

        Secrets are passed to libnavoi and not kept by this object. Key
        files must be mode 0600/0400 and owned by the caller; their content
        never becomes a Python object.
        """
        lib, p = self._lib, self._p

        def ok(rc: int, what: str) -> None:
            check(rc, p, what)

        def secret_file(path: PathLike, setter: Callable[..., int], what: str) -> None:
            ok(_secret_file_call(lib, path, lambda b: setter(p, b), what), what)

        if environment is not None:
            ok(lib.navoi_client_set_environment(p, int(environment)), "environment")
        if base_url is not None:
            ok(lib.navoi_client_set_base_url(p, _ffi.cstr(base_url)), "base_url")
        if login is not None:
            ok(lib.navoi_client_set_login(p, _ffi.cstr(login)), "login")
        if password is not None:
            ok(_secret_call(lambda b: lib.navoi_client_set_password(p, b), password), "password")
            del password
        if password_file is not None:
            secret_file(password_file, lib.navoi_client_set_password, "password_file")
        if password_hash is not None:
            ok(lib.navoi_client_set_password_hash(p, _ffi.cstr(password_hash)), "password_hash")
        if tax_number is not None:
            ok(lib.navoi_client_set_tax_number(p, _ffi.cstr(tax_number)), "tax_number")
        if signing_key is not None:
            ok(_secret_call(lambda b: lib.navoi_client_set_signing_key(p, b), signing_key),
               "signing_key")
            del signing_key
        if signing_key_file is not None:
            secret_file(signing_key_file, lib.navoi_client_set_signing_key, "signing_key_file")
        if exchange_key is not None:
            ok(_secret_call(lambda b: lib.navoi_client_set_exchange_key(p, b), exchange_key),
               "exchange_key")
            del exchange_key
        if exchange_key_file is not None:
            secret_file(exchange_key_file, lib.navoi_client_set_exchange_key,
                        "exchange_key_file")
        if software is not None:
            s = software
            ok(lib.navoi_client_set_software(
                p, _ffi.cstr(s.id), _ffi.cstr(s.name), int(s.operation),
                _ffi.cstr(s.main_version), _ffi.cstr(s.dev_name), _ffi.cstr(s.dev_contact),
                _ffi.cstr(s.dev_country), _ffi.cstr(s.dev_tax_number)), "software")
        if ca_file is not None:
            ok(lib.navoi_client_set_ca_file(p, _ffi.cstr(os.fspath(ca_file))), "ca_file")
        if connect_timeout is not None or query_timeout is not None or manage_timeout is not None:
            self._timeouts = (
                connect_timeout if connect_timeout is not None else self._timeouts[0],
                query_timeout if query_timeout is not None else self._timeouts[1],
                manage_timeout if manage_timeout is not None else self._timeouts[2])
            ok(lib.navoi_client_set_timeouts(p, *(int(t * 1000) for t in self._timeouts)),
               "timeouts")
        if max_response is not None:
            ok(lib.navoi_client_set_max_response(p, int(max_response)), "max_response")
        if schema_dir is not None:
            ok(lib.navoi_client_set_schema_dir(p, _ffi.cstr(os.fspath(schema_dir))),
               "schema_dir")
        if invoice_hash_mode is not None:
            ok(lib.navoi_client_set_invoice_hash_mode(p, int(invoice_hash_mode)),
               "invoice_hash_mode")
        if log is not None:
            self.set_log(log, log_level)
        return self

    # libnavoi's documented defaults (navoi_client_new): 5 s, 10 s, 70 s.
    _timeouts: Tuple[float, float, float] = (5.0, 10.0, 70.0)

    def set_log(self, fn: Optional[LogCallback], level: LogLevel = LogLevel.INFO) -> None:
        """Sets (or with None removes) the log callback. It runs on the
        thread that called the client; exceptions it raises are reported
        through sys.unraisablehook and do not stop the operation."""
        lib = self._lib
        if fn is None:
            lib.navoi_client_set_log(self._p, lib.null_callback("navoi_log_fn"), int(level), None)
            self._log_cb = None
            return

        def relay(lvl: int, corr: bytes, msg: bytes, _ud: Any) -> None:
            try:
                level_v: Any = LogLevel(lvl)
            except ValueError:
                level_v = lvl
            fn(level_v, _ffi.pystr(corr) or "", _ffi.pystr(msg) or "")

        cb = lib.callback("navoi_log_fn", relay)
        lib.navoi_client_set_log(self._p, cb, int(level), None)
        self._log_cb = cb  # the C side holds only a pointer: keep it alive

    def close(self) -> None:
        """Frees the client; outboxes opened on it are closed first."""
        for b in list(getattr(self, "_borrowers", ())):
            b.close()
        super().close()
        self._log_cb = None

    # ---- state of the last call ----

    @property
    def http_status(self) -> int:
        """HTTP status of the last response (0 if none)."""
        return int(self._lib.navoi_client_http_status(self._p))

    @property
    def server_skew_ms(self) -> int:
        """Server clock minus local clock seen in the last response, ms."""
        return int(self._lib.navoi_client_server_skew_ms(self._p))

    def _check(self, rc: int, what: str) -> None:
        check(rc, self._p, what)

    # ---- connection check ----

    def check_connection(self, query_only: bool = False) -> ConnectionCheck:
        """Checks the configuration against NAV (tokenExchange, unless
        query_only, and queryTaxpayer of the own tax number). Whatever the
        outcome, returns a ConnectionCheck; raises only for bad arguments."""
        st, dg = ctypes.c_int(), ctypes.c_int()
        self._check(self._lib.navoi_check_connection(self._p, self._check_flags(query_only),
                                                     ctypes.byref(st), ctypes.byref(dg)),
                    "check_connection")
        return self._conn_result(st.value, dg.value)

    def check_connection_with(self, password: Optional[Secret] = None,
                              signing_key: Optional[Secret] = None,
                              exchange_key: Optional[Secret] = None,
                              query_only: bool = False) -> ConnectionCheck:
        """check_connection() with secrets as they were read from their files
        or environment variables (str, bytes or bytearray; None keeps the
        client's): their form is diagnosed first (whitespace, line breaks,
        length), then they are set on the client and the check runs. The
        secrets live in C buffers wiped after the call; nothing keeps them."""
        st, dg = ctypes.c_int(), ctypes.c_int()
        lib, p, flags = self._lib, self._p, self._check_flags(query_only)
        rc = _secrets_call(lambda pw, sk, xk: lib.navoi_check_connection_with(
            p, flags, pw, sk, xk, ctypes.byref(st), ctypes.byref(dg)),
            password, signing_key, exchange_key)
        del password, signing_key, exchange_key
        self._check(rc, "check_connection")
        return self._conn_result(st.value, dg.value)

    def _check_flags(self, query_only: bool) -> int:
        return self._lib.const.NAVOI_CHECK_QUERY_ONLY if query_only else 0

    def _conn_result(self, status: int, diagnosis: int) -> ConnectionCheck:
        lib = self._lib
        return ConnectionCheck(_enum(ConnStatus, status), _enum(Diagnosis, diagnosis),
                               _ffi.pystr(lib.navoi_client_errmsg(self._p)) or "",
                               _ffi.pystr(lib.navoi_client_nav_error_code(self._p)) or "")

    # ---- invoices ----

    def invoice(self, xml: Union[bytes, bytearray, str],
                operation: Operation = Operation.CREATE) -> Invoice:
        """An Invoice from XML bytes, validated with this client's schemas."""
        return Invoice(xml, operation, self)

    def invoice_from_file(self, path: PathLike, operation: Operation = Operation.CREATE) -> Invoice:
        return Invoice.from_file(path, operation, self)

    def validate(self, document: Union[Invoice, bytes, bytearray, str],
                 operation: Optional[Operation] = None) -> "Findings":
        """navoi.validate() with this client: its schema directory enables
        the XSD check, its tax number SUPPLIER_TAX_NUMBER_MISMATCH, its
        clock the date checks."""
        from .builder import validate
        return validate(document, self, operation)

    # ---- the ten operations ----

    def token_exchange(self) -> _dt.datetime:
        """tokenExchange: checks the credentials; returns tokenValidityTo (UTC)."""
        v = ctypes.c_int64()
        self._check(self._lib.navoi_token_exchange(self._p, ctypes.byref(v)), "tokenExchange")
        return _dt.datetime.fromtimestamp(v.value / 1000, _dt.timezone.utc)

    def manage_invoice(self, invoices: Iterable[Invoice], compress: bool = False) -> Transaction:
        """manageInvoice: reports 1 to 100 invoices in one transaction.

        Raises AmbiguousOutcomeError when the request may have reached NAV
        without an answer: reconcile before resubmitting."""
        invs = list(invoices)
        arr = (ctypes.c_void_p * max(len(invs), 1))(*(i._p for i in invs))
        flags = self._lib.const.NAVOI_MANAGE_COMPRESS if compress else 0
        out = ctypes.c_void_p()
        rc = self._lib.navoi_manage_invoice(self._p, arr, len(invs), flags, ctypes.byref(out))
        self._check(rc, "manageInvoice")
        return Transaction(out.value or 0, self)

    def manage_annulment(self, annulments: Sequence[Union[Annulment, Tuple[str, AnnulmentCode, str]]]
                         ) -> Transaction:
        """manageAnnulment: technical annulment of 1 to 100 reports."""
        items = [a if isinstance(a, Annulment) else Annulment(*a) for a in annulments]
        n = len(items)
        refs = (ctypes.c_char_p * max(n, 1))(*(_ffi.cstr(a.reference) for a in items))
        codes = (ctypes.c_int * max(n, 1))(*(int(a.code) for a in items))
        reasons = (ctypes.c_char_p * max(n, 1))(*(_ffi.cstr(a.reason) for a in items))
        out = ctypes.c_void_p()
        rc = self._lib.navoi_manage_annulment(self._p, refs, codes, reasons, n, ctypes.byref(out))
        self._check(rc, "manageAnnulment")
        return Transaction(out.value or 0, self)

    def query_transaction_status(self, transaction_id: str,
                                 return_original: bool = False) -> Transaction:
        """queryTransactionStatus (an unknown id gives a transaction without items)."""
        flags = self._lib.const.NAVOI_STATUS_RETURN_ORIGINAL if return_original else 0
        out = ctypes.c_void_p()
        rc = self._lib.navoi_query_transaction_status(self._p, _ffi.cstr(transaction_id), flags,
                                                      ctypes.byref(out))
        self._check(rc, "queryTransactionStatus")
        return Transaction(out.value or 0, self)

    def _result(self, fn: Callable[..., int], what: str, *args: Any) -> QueryResult:
        out = ctypes.c_void_p()
        rc = fn(self._p, *args, ctypes.byref(out))
        if rc != 0:
            err = from_code(rc, self._p, what)
            if out.value:  # the contract says NULL on failure; be safe anyway
                self._lib.navoi_result_free(out)
            raise err
        return take_result(out.value)

    def query_transaction_list(self, date_from: Instant, date_to: Instant, page: int = 1,
                               request_status: Optional[str] = None) -> QueryResult:
        """queryTransactionList: transactions inserted in [date_from, date_to]
        (at most 35 days); records insDate, transactionId, requestStatus, ..."""
        return self._result(self._lib.navoi_query_transaction_list, "queryTransactionList",
                            to_ms(date_from), to_ms(date_to), int(page),
                            _ffi.cstr(request_status))

    def query_invoice_check(self, invoice_number: str,
                            direction: Direction = Direction.OUTBOUND, batch_index: int = 0,
                            supplier_tax_number: Optional[str] = None) -> bool:
        """queryInvoiceCheck: True if exactly one valid instance is visible."""
        v = ctypes.c_int()
        rc = self._lib.navoi_query_invoice_check(self._p, _ffi.cstr(invoice_number),
                                                 int(direction), int(batch_index),
                                                 _ffi.cstr(supplier_tax_number), ctypes.byref(v))
        self._check(rc, "queryInvoiceCheck")
        return bool(v.value)

    def query_invoice_data(self, invoice_number: str, direction: Direction = Direction.OUTBOUND,
                           batch_index: int = 0,
                           supplier_tax_number: Optional[str] = None) -> QueryResult:
        """queryInvoiceData: no record when NAV found nothing; else one
        record and the decoded invoice XML in .content."""
        return self._result(self._lib.navoi_query_invoice_data, "queryInvoiceData",
                            _ffi.cstr(invoice_number), int(direction), int(batch_index),
                            _ffi.cstr(supplier_tax_number))

    def query_invoice_digest(self, query: Optional[DigestQuery] = None, **criteria: Any
                             ) -> QueryResult:
        """queryInvoiceDigest with a DigestQuery (or its fields as keywords)."""
        q = query if query is not None else DigestQuery(**criteria)
        handle = q._build()
        try:
            return self._result(self._lib.navoi_query_invoice_digest, "queryInvoiceDigest",
                                handle)
        finally:
            free_digest_query(handle)

    def query_invoice_chain_digest(self, invoice_number: str,
                                   direction: Direction = Direction.OUTBOUND,
                                   tax_number: Optional[str] = None,
                                   page: int = 1) -> QueryResult:
        """queryInvoiceChainDigest: the chain of a base invoice."""
        return self._result(self._lib.navoi_query_invoice_chain_digest,
                            "queryInvoiceChainDigest", _ffi.cstr(invoice_number),
                            int(direction), _ffi.cstr(tax_number), int(page))

    def query_taxpayer(self, tax_number: str) -> QueryResult:
        """queryTaxpayer: meta taxpayerValidity/infoDate; one record with
        the taxpayerData fields when NAV knows the taxpayer."""
        return self._result(self._lib.navoi_query_taxpayer, "queryTaxpayer",
                            _ffi.cstr(tax_number))

    def __repr__(self) -> str:
        return "<navoi.Client%s>" % (" closed" if self.closed else "")

"""sync.py - Sync: incoming (INBOUND) invoices synchronised into storage
(navoi_sync handle), and Metrics of an outbox (navoi_metrics handle).

    with navoi.Sync.open_sqlite(client, "inbound.db") as s:
        s.run(from_=datetime(2026, 1, 1, tzinfo=timezone.utc))  # first run: a start
        s.run()                                                  # later: incremental
        for inv_id in s.list():
            stored = s.invoice(inv_id)       # .meta (digest fields), .xml (bytes)
"""
from __future__ import annotations

import ctypes
import json
import os
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Union

from . import _ffi
from ._handle import Handle
from .enums import SyncFormat, SyncStat
from .errors import NavoiError, error_category, error_class, from_code, strerror
from .results import Instant, to_ms

if TYPE_CHECKING:
    from .client import Client
    from .outbox import Outbox

# Far enough in the future for "up to the end" of a stored range.
_END_MS = 253402300799999  # 9999-12-31T23:59:59.999Z


def _take(lib: _ffi.Lib, ptr: ctypes.c_void_p, n: Optional[int] = None) -> Optional[bytes]:
    """Bytes of a navoi_free()-owned buffer (n bytes, or up to the NUL); frees it."""
    if not ptr.value:
        return None
    try:
        return ctypes.string_at(ptr.value, n) if n is not None else ctypes.string_at(ptr.value)
    finally:
        lib.navoi_free(ptr)


def _unescape(v: str) -> str:
    """Undoes navoi_sync_invoice()'s escaping of values (\\\\ and \\n)."""
    out, i = [], 0
    while i < len(v):
        c = v[i]
        if c == "\\" and i + 1 < len(v):
            n = v[i + 1]
            out.append("\n" if n == "n" else n)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class SyncStats:
    """The counters of the current or last run (navoi_sync_stat)."""
    run_from: int = 0      # start of the run's insDate range (ms)
    run_to: int = 0        # end of the run's insDate range (ms)
    windows: int = 0       # date windows of the run (at most 35 days each)
    window: int = 0        # current window, 1-based
    page: int = 0          # current digest page of the window
    pages: int = 0         # pages of the current window
    seen: int = 0          # digest records read
    fetched: int = 0       # invoices fetched and stored
    skipped: int = 0       # digest records already stored
    incomplete: int = 0    # stored without XML
    requests: int = 0      # NAV requests made
    resumed: bool = False  # the run continued an interrupted one


@dataclass(frozen=True)
class SyncCursor:
    """Where the synchronisation stands: cursor_ms is the end of the last
    complete run (0: never ran); interrupted means the next run continues."""
    cursor_ms: int
    interrupted: bool


@dataclass(frozen=True)
class StoredInvoice:
    """One synchronised invoice: its id ("SUPPLIERTAX/NUMBER/BATCHINDEX/
    TRANSACTIONID/INDEX"), the digest fields by NAV's element names
    (invoiceNumber, supplierTaxNumber, insDate, ...) and the invoice XML
    (None when only the digest could be stored)."""
    id: str
    meta: Dict[str, str] = field(default_factory=dict)
    xml: Optional[bytes] = None

    @property
    def invoice_number(self) -> str:
        return self.meta.get("invoiceNumber", "")

    @property
    def supplier_tax_number(self) -> str:
        return self.meta.get("supplierTaxNumber", "")


ProgressFn = Callable[["Sync"], Any]


class Sync(Handle):
    """Synchronises the invoices other suppliers issued to the taxpayer
    (INBOUND) into an SQLite database (may be the outbox's). The client is
    borrowed by libnavoi: this object keeps it alive, closing the client
    closes the sync first, and the client must not be used elsewhere while
    run() is going on. One thread at a time."""

    _kind = "sync"
    _free_fn = "navoi_sync_free"

    def __init__(self, ptr: int, client: "Client") -> None:
        super().__init__(ptr)
        self._client: Optional["Client"] = client
        self._progress_cb: Any = None
        self._progress_fn: Optional[ProgressFn] = None
        self._progress_exc: Optional[BaseException] = None
        self._in_run = False
        client._borrowers.add(self)

    @classmethod
    def open_sqlite(cls, client: "Client", path: Union[str, "os.PathLike[str]"],
                    pace_ms: Optional[int] = None, overlap_ms: Optional[int] = None) -> "Sync":
        """Opens (creating with mode 0600) an SQLite database. pace_ms: the
        minimum spacing of NAV requests (default 1000, NAV's limit; 0 for
        simulators); overlap_ms: how far incremental runs reach back before
        the cursor (default 3 days)."""
        lib = _ffi.load()
        out = ctypes.c_void_p()
        rc = lib.navoi_sync_open_sqlite(ctypes.byref(out), client._p,
                                        _ffi.cstr(os.fspath(path)))
        if rc != 0:
            raise from_code(rc, client._p, "sync")
        self = cls(out.value or 0, client)
        try:
            if pace_ms is not None:
                self.set_pace(pace_ms)
            if overlap_ms is not None:
                self.set_overlap(overlap_ms)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._in_run:
            raise RuntimeError("Sync.close() from its own progress hook")
        super().close()
        self._client = None
        self._progress_cb = None
        self._progress_fn = None

    @property
    def _q(self) -> int:
        """The handle for calls other than stat(): refused inside run()'s hook."""
        if self._in_run:
            raise RuntimeError("only stat()/stats() may be called from the progress hook")
        return self._p

    def _check(self, rc: int, what: str) -> None:
        if rc != 0:
            msg = _ffi.pystr(self._lib.navoi_sync_errmsg(self._p)) or ""
            raise error_class(rc)(rc, msg or "%s: %s" % (what, strerror(rc)), "", 0,
                                  error_category(rc), what)

    # ---- settings ----

    def set_overlap(self, overlap_ms: int) -> None:
        """0 .. 35 days (default 3 days)."""
        self._check(self._lib.navoi_sync_set_overlap(self._q, int(overlap_ms)), "set_overlap")

    def set_pace(self, min_interval_ms: int) -> None:
        """Minimum spacing of NAV requests (default 1000 ms; 0 for simulators)."""
        self._check(self._lib.navoi_sync_set_pace(self._q, int(min_interval_ms)), "set_pace")

    def set_progress(self, fn: Optional[ProgressFn]) -> None:
        """fn(sync) runs after every page and every stored invoice and may
        read sync.stats(). Returning False stops the run (run() raises
        CallbackError; the next run resumes); an exception it raises stops
        the run too and is re-raised by run(). None removes the hook."""
        lib, p = self._lib, self._q
        if fn is None:
            lib.navoi_sync_set_progress(p, lib.null_callback("navoi_sync_progress_fn"), None)
            self._progress_cb = self._progress_fn = None
            return

        me = weakref.ref(self)  # no reference cycle through the callback

        def relay(_sync: Any, _ud: Any) -> int:
            s = me()
            if s is None:
                return 1
            try:
                return 1 if s._progress_fn is not None and s._progress_fn(s) is False else 0
            except BaseException as e:  # must not unwind through C
                s._progress_exc = e
                return 1

        cb = lib.callback("navoi_sync_progress_fn", relay)
        lib.navoi_sync_set_progress(p, cb, None)
        self._progress_cb, self._progress_fn = cb, fn  # the C side holds only a pointer

    # ---- running ----

    def run(self, from_: Optional[Instant] = None) -> SyncStats:
        """Synchronises up to now. from_ None: continues an interrupted run,
        else incremental from the cursor minus the overlap (the first run
        needs a from_: ConfigError otherwise). from_ given (ms or an aware
        datetime): a full resynchronisation from then; stored invoices are
        skipped. Blocks for the whole run; after any failure the next call
        resumes. Returns the run's counters."""
        p, client = self._q, self._client
        from_ms = to_ms(from_) if from_ is not None else 0
        self._progress_exc = None
        self._in_run = True
        try:
            rc = self._lib.navoi_sync_run(p, from_ms)
        finally:
            self._in_run = False
        exc, self._progress_exc = self._progress_exc, None
        if exc is not None:
            raise exc
        if rc != 0:
            msg = _ffi.pystr(self._lib.navoi_sync_errmsg(p)) or ""
            err: NavoiError = from_code(rc, client._p if client is not None else None, "sync")
            if msg:
                err = type(err)(rc, msg, err.nav_error_code, err.http_status, err.category,
                                "sync")
            raise err
        return self.stats()

    def stat(self, which: SyncStat) -> int:
        """One counter of the current or last run."""
        return int(self._lib.navoi_sync_stat(self._p, int(which)))

    def stats(self) -> SyncStats:
        v = {k: self.stat(k) for k in SyncStat}
        return SyncStats(
            run_from=v[SyncStat.RUN_FROM], run_to=v[SyncStat.RUN_TO],
            windows=v[SyncStat.WINDOWS], window=v[SyncStat.WINDOW], page=v[SyncStat.PAGE],
            pages=v[SyncStat.PAGES], seen=v[SyncStat.SEEN], fetched=v[SyncStat.FETCHED],
            skipped=v[SyncStat.SKIPPED], incomplete=v[SyncStat.INCOMPLETE],
            requests=v[SyncStat.REQUESTS], resumed=bool(v[SyncStat.RESUMED]))

    def cursor(self) -> SyncCursor:
        c, i = ctypes.c_int64(), ctypes.c_int()
        self._check(self._lib.navoi_sync_cursor(self._q, ctypes.byref(c), ctypes.byref(i)),
                    "cursor")
        return SyncCursor(c.value, bool(i.value))

    # ---- the stored invoices ----

    def list(self, from_: Instant = 0, to: Optional[Instant] = None, offset: int = 0,
             limit: int = 1000) -> List[str]:
        """Ids of stored invoices with insDate in [from_, to], oldest first."""
        out, n = ctypes.c_void_p(), ctypes.c_size_t()
        self._check(self._lib.navoi_sync_list(
            self._q, to_ms(from_), to_ms(to) if to is not None else _END_MS, int(offset),
            int(limit), ctypes.byref(out), ctypes.byref(n)), "list")
        text = (_take(self._lib, out) or b"").decode("utf-8", "replace")
        return [k for k in text.split("\n") if k]

    def invoice(self, invoice_id: str) -> StoredInvoice:
        """One stored invoice; NotFoundError for an unknown id."""
        lib = self._lib
        meta, xml, n = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_size_t()
        rc = lib.navoi_sync_invoice(self._q, _ffi.cstr(invoice_id), ctypes.byref(meta),
                                    ctypes.byref(xml), ctypes.byref(n))
        if rc != 0:
            for ptr in (meta, xml):
                if ptr.value:
                    lib.navoi_free(ptr)
            self._check(rc, "invoice")
        text = _take(lib, meta) or b""
        doc = _take(lib, xml, n.value)
        fields: Dict[str, str] = {}
        for line in text.decode("utf-8", "replace").split("\n"):
            if "=" in line:
                k, v = line.split("=", 1)
                fields[k] = _unescape(v)
        return StoredInvoice(invoice_id, fields, doc)

    def summary(self, from_: Instant = 0, to: Optional[Instant] = None,
                format: SyncFormat = SyncFormat.CSV) -> str:
        """The stored invoices with insDate in [from_, to] as CSV (with a
        header line) or a JSON array: id, invoiceNumber, invoiceOperation,
        invoiceIssueDate, supplierTaxNumber, supplierName, currency, amounts,
        insDate, hasXml."""
        out = ctypes.c_void_p()
        self._check(self._lib.navoi_sync_summary(
            self._q, to_ms(from_), to_ms(to) if to is not None else _END_MS, int(format),
            ctypes.byref(out)), "summary")
        return (_take(self._lib, out) or b"").decode("utf-8", "replace")

    def summary_records(self, from_: Instant = 0,
                        to: Optional[Instant] = None) -> List[Dict[str, Any]]:
        """summary() parsed from JSON: one dict per stored invoice."""
        return json.loads(self.summary(from_, to, SyncFormat.JSON) or "[]")

    def __repr__(self) -> str:
        return "<navoi.Sync%s>" % (" closed" if self.closed else "")


class Metrics(Handle):
    """Monitoring values of an outbox (navoi_metrics): items per state,
    backlog, outcomes, processing delays, NAV error codes, retries. Reads
    the item histories incrementally on each refresh(). Borrows the outbox:
    closing the outbox closes its metrics first. Use it on the outbox's
    thread."""

    _kind = "metrics"
    _free_fn = "navoi_metrics_free"

    def __init__(self, outbox: "Outbox", refresh: bool = True) -> None:
        lib = _ffi.load()
        out = ctypes.c_void_p()
        rc = lib.navoi_metrics_new(ctypes.byref(out), outbox._p)
        if rc != 0:
            outbox._check(rc, "metrics")
        super().__init__(out.value or 0)
        self._outbox: Optional["Outbox"] = outbox
        outbox._borrowers.add(self)
        if refresh:
            self.refresh()

    def close(self) -> None:
        super().close()
        self._outbox = None

    def _check(self, rc: int, what: str) -> None:
        if rc != 0:
            ob = self._outbox
            if ob is not None and not ob.closed:
                ob._check(rc, what)
            raise from_code(rc, None, what)

    def refresh(self) -> "Metrics":
        """Reads the history entries added since the last refresh and the
        current counts; the other methods use the values of the last refresh."""
        self._check(self._lib.navoi_metrics_refresh(self._p), "metrics refresh")
        return self

    def text(self) -> str:
        """Prometheus text exposition format (0.0.4)."""
        out = ctypes.c_void_p()
        self._check(self._lib.navoi_metrics_text(self._p, ctypes.byref(out)), "metrics text")
        return (_take(self._lib, out) or b"").decode("utf-8", "replace")

    def value(self, series: str) -> float:
        """One series by its name with labels, e.g.
        'navoi_outbox_items{state="DONE"}'; NotFoundError if there is none."""
        v = ctypes.c_double()
        self._check(self._lib.navoi_metrics_value(self._p, _ffi.cstr(series), ctypes.byref(v)),
                    "metrics value")
        return v.value

    def get(self, series: str, default: Optional[float] = None) -> Optional[float]:
        """value(), or default for an unknown series."""
        v = ctypes.c_double()
        rc = self._lib.navoi_metrics_value(self._p, _ffi.cstr(series), ctypes.byref(v))
        if rc == self._lib.const.NAVOI_ENOTFOUND:
            return default
        self._check(rc, "metrics value")
        return v.value

    def timeline(self, bucket_ms: int = 60_000) -> str:
        """Activity over time as CSV ("time_ms,enqueued,done,aborted,failed,
        needs_attention,backlog,delay_avg_ms,delay_max_ms"), one line per
        bucket (at least a minute)."""
        out = ctypes.c_void_p()
        self._check(self._lib.navoi_metrics_timeline(self._p, int(bucket_ms), ctypes.byref(out)),
                    "metrics timeline")
        return (_take(self._lib, out) or b"").decode("utf-8", "replace")

    def __repr__(self) -> str:
        return "<navoi.Metrics%s>" % (" closed" if self.closed else "")

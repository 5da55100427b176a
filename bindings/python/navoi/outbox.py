"""outbox.py - Outbox: the durable submission pipeline (navoi_outbox
handle) and plain snapshots of its items.

    with navoi.Outbox.open_sqlite(client, "outbox.db") as ob:
        ob.enqueue("erp-4711", invoice)        # durable once it returns
        while ob.step():                       # one bounded unit of work
            pass
        print(ob.item("erp-4711").state)
"""
from __future__ import annotations

import ctypes
import os
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, List, Optional, Tuple, Union

from . import _ffi
from ._handle import Handle
from .enums import (AnnulmentCode, Category, ItemState, MessageKind, Operation, Severity,
                    ValidationMode)
from .errors import error_category, error_class, from_code, strerror
from .invoice import Invoice
from .txn import MessagePointer, ValidationMessage

if TYPE_CHECKING:
    from .client import Client
    from .sync import Metrics


@dataclass(frozen=True)
class ItemError:
    """Last error of an outbox item."""
    code: int
    category: Category
    http_status: int
    nav_code: str     # NAV errorCode or the deciding validationErrorCode
    message: str


@dataclass(frozen=True)
class HistoryEntry:
    time_ms: int
    text: str         # "event key=value ..."


@dataclass(frozen=True)
class OutboxItem:
    """Snapshot of one outbox item (taken by Outbox.item())."""
    key: str
    state: ItemState
    operation: Operation
    invoice_number: str
    original_key: str
    transaction_id: str
    index: int
    request_id: str
    attempts: int
    enqueued_ms: int
    due_ms: int
    error: Optional[ItemError]
    messages: List[ValidationMessage] = field(default_factory=list)
    annulment_status: str = ""
    history: List[HistoryEntry] = field(default_factory=list)
    advice: str = ""  # what a person should do (FAILED, ABORTED, NEEDS_ATTENTION), else ""

    @property
    def is_final(self) -> bool:
        return self.state in (ItemState.DONE, ItemState.ABORTED)


def _enum(cls, v):
    try:
        return cls(v)
    except ValueError:
        return v


def _lines(lib: _ffi.Lib, ptr: ctypes.c_void_p) -> List[str]:
    """A navoi_free()-owned "k1\\nk2\\n" list as Python strings."""
    if not ptr.value:
        return []
    try:
        text = ctypes.string_at(ptr.value).decode("utf-8", "replace")
    finally:
        lib.navoi_free(ptr)
    return [k for k in text.split("\n") if k]


class Outbox(Handle):
    """A durable outbox on SQLite. The client is borrowed by libnavoi; this
    object keeps it alive, and closing the client closes the outbox first.
    One thread at a time per outbox; run one worker per process (or give
    each its own worker id, see set_worker())."""

    _kind = "outbox"
    _free_fn = "navoi_outbox_free"

    def __init__(self, ptr: int, client: "Client") -> None:
        super().__init__(ptr)
        self._client = client  # must outlive the outbox (navoi.h)
        client._borrowers.add(self)
        # Metrics borrow this outbox's handle; close() closes them first.
        self._borrowers: "weakref.WeakSet[Handle]" = weakref.WeakSet()

    @classmethod
    def open_sqlite(cls, client: "Client", path: Union[str, "os.PathLike[str]"]) -> "Outbox":
        """Opens (creating with mode 0600) an SQLite outbox database."""
        lib = _ffi.load()
        out = ctypes.c_void_p()
        rc = lib.navoi_outbox_open_sqlite(ctypes.byref(out), client._p,
                                          _ffi.cstr(os.fspath(path)))
        if rc != 0:
            raise from_code(rc, client._p, "outbox")
        return cls(out.value or 0, client)

    @classmethod
    def open_postgres(cls, client: "Client", conninfo: str) -> "Outbox":
        """Opens an outbox on a PostgreSQL database (libpq connection string
        or URI, e.g. "host=db dbname=navoi user=navoi"), creating or
        migrating navoi's tables. Several workers (processes or machines)
        may share the database; give each its own set_worker() id. Prefer a
        password file (PGPASSFILE, ~/.pgpass) to a password in conninfo; the
        string is not kept and never appears in an error message. Raises
        ConfigError when libnavoi was built without PostgreSQL support."""
        lib = _ffi.load()
        out = ctypes.c_void_p()
        rc = lib.navoi_outbox_open_postgres(ctypes.byref(out), client._p, _ffi.cstr(conninfo))
        del conninfo
        if rc != 0:
            raise from_code(rc, client._p, "outbox")
        return cls(out.value or 0, client)

    def close(self) -> None:
        """Frees the outbox; Metrics opened on it are closed first."""
        for b in list(getattr(self, "_borrowers", ())):
            b.close()
        super().close()
        self._client = None

    def _check(self, rc: int, what: str) -> None:
        if rc != 0:
            msg = _ffi.pystr(self._lib.navoi_outbox_errmsg(self._p)) or ""
            raise error_class(rc)(rc, msg or "%s: %s" % (what, strerror(rc)), "", 0,
                                  error_category(rc), what)

    # ---- enqueue ----

    def enqueue(self, key: str, invoice: Invoice, original_key: Optional[str] = None) -> bool:
        """Stores an invoice durably for reporting; returns True if the item
        was created, False if the same key and invoice were already there."""
        created = ctypes.c_int()
        self._check(self._lib.navoi_outbox_enqueue(self._p, _ffi.cstr(key), invoice._p,
                                                   _ffi.cstr(original_key),
                                                   ctypes.byref(created)), "enqueue")
        return bool(created.value)

    def enqueue_batch(self, items: "Iterable[Tuple[str, Invoice]]") -> List[bool]:
        """Stores several (key, invoice) pairs in one storage transaction
        (one commit). All or nothing: when any is refused none is stored.
        Amendments find their original by originalInvoiceNumber, also among
        earlier items of the batch. Returns, per item, True if it was
        created, False if the key already held the same invoice."""
        pairs = list(items)
        n = len(pairs)
        if n == 0:
            return []
        keys = (ctypes.c_char_p * n)(*(_ffi.cstr(k) for k, _ in pairs))
        invs = (ctypes.c_void_p * n)(*(inv._p for _, inv in pairs))
        created = (ctypes.c_int * n)()
        self._check(self._lib.navoi_outbox_enqueue_batch(self._p, keys, invs, n, created),
                    "enqueue_batch")
        return [bool(c) for c in created]

    def enqueue_annulment(self, key: str, original_key: str, code: AnnulmentCode,
                          reason: str) -> bool:
        """Stores a technical annulment of the item original_key."""
        created = ctypes.c_int()
        self._check(self._lib.navoi_outbox_enqueue_annulment(
            self._p, _ffi.cstr(key), _ffi.cstr(original_key), int(code), _ffi.cstr(reason),
            ctypes.byref(created)), "enqueue_annulment")
        return bool(created.value)

    # ---- worker ----

    def step(self) -> bool:
        """One bounded unit of work (a poll, a lost-transaction check or a
        batch). Returns False when nothing was due. Raises ConfigError while
        sending is halted (see halt_reason)."""
        did = ctypes.c_int()
        self._check(self._lib.navoi_outbox_step(self._p, ctypes.byref(did)), "step")
        return bool(did.value)

    def run_until_idle(self, max_steps: int = 10_000,
                       stop: Optional[Callable[[], bool]] = None) -> int:
        """Calls step() until nothing is due (or stop() is true); returns the
        number of steps that did work. Does not sleep: items waiting for a
        later time (polls, backoff) stay for the next call; next_due says when."""
        n = 0
        while n < max_steps and not (stop and stop()):
            if not self.step():
                break
            n += 1
        return n

    def next_due(self) -> Optional[int]:
        """When the next unit of work is due (ms since epoch, client clock),
        or None when nothing is waiting."""
        v = ctypes.c_int64()
        self._check(self._lib.navoi_outbox_next_due(self._p, ctypes.byref(v)), "next_due")
        return v.value or None

    @property
    def halt_reason(self) -> Optional[str]:
        """Why sending is halted after a configuration error, or None."""
        return _ffi.pystr(self._lib.navoi_outbox_halt_reason(self._p))

    def resume(self) -> None:
        """Resumes after a halt, once the configuration is fixed."""
        self._lib.navoi_outbox_resume(self._p)

    def retry(self, key: str) -> None:
        """Re-queues an item in FAILED, ABORTED or NEEDS_ATTENTION."""
        self._check(self._lib.navoi_outbox_retry(self._p, _ffi.cstr(key)), "retry")

    # ---- policies ----

    def set_retry_policy(self, base_ms: int = 30_000, cap_ms: int = 300_000,
                         jitter_percent: int = 20, horizon_ms: int = 86_400_000) -> None:
        self._check(self._lib.navoi_outbox_set_policy_retry(self._p, base_ms, cap_ms,
                                                            jitter_percent, horizon_ms),
                    "set_retry_policy")

    def set_poll_policy(self, first_ms: int = 1000, cap_ms: int = 60_000) -> None:
        self._check(self._lib.navoi_outbox_set_policy_poll(self._p, first_ms, cap_ms),
                    "set_poll_policy")

    def set_lost_policy(self, wait_ms: int = 300_000, margin_ms: int = 600_000) -> None:
        self._check(self._lib.navoi_outbox_set_policy_lost(self._p, wait_ms, margin_ms),
                    "set_lost_policy")

    def set_annulment_policy(self, first_ms: int = 3_600_000, cap_ms: int = 86_400_000,
                             horizon_ms: int = 60 * 86_400_000) -> None:
        """Following of annulments awaiting approval (horizon_ms 0: never follow)."""
        self._check(self._lib.navoi_outbox_set_policy_annulment(self._p, first_ms, cap_ms,
                                                                horizon_ms),
                    "set_annulment_policy")

    def set_batch_policy(self, max_items: int = 100, min_interval_ms: int = 1000) -> None:
        self._check(self._lib.navoi_outbox_set_policy_batch(self._p, max_items,
                                                            min_interval_ms),
                    "set_batch_policy")

    def set_validation(self, mode: ValidationMode) -> None:
        """Refuse (default), flag or skip invoices with validator ERRORs at enqueue."""
        self._check(self._lib.navoi_outbox_set_validation(self._p, int(mode)), "set_validation")

    def set_worker(self, worker_id: str, lease_ms: int = 600_000) -> None:
        self._check(self._lib.navoi_outbox_set_worker(self._p, _ffi.cstr(worker_id), lease_ms),
                    "set_worker")

    # ---- status ----

    def count(self, state: ItemState) -> int:
        v = ctypes.c_int64()
        self._check(self._lib.navoi_outbox_count(self._p, int(state), ctypes.byref(v)), "count")
        return v.value

    def backlog(self) -> Tuple[int, int]:
        """(items not yet final, age in ms of the oldest of them)."""
        n, age = ctypes.c_int64(), ctypes.c_int64()
        self._check(self._lib.navoi_outbox_backlog(self._p, ctypes.byref(n), ctypes.byref(age)),
                    "backlog")
        return n.value, age.value

    def keys(self, state: ItemState, offset: int = 0, limit: int = 1000) -> List[str]:
        """Keys of items in a state, oldest first."""
        out = ctypes.c_void_p()
        self._check(self._lib.navoi_outbox_list(self._p, int(state), offset, limit,
                                                ctypes.byref(out), None), "list")
        return _lines(self._lib, out)

    def failed(self, limit: int = 1000) -> List[OutboxItem]:
        """Items a person must look at: FAILED, NEEDS_ATTENTION and ABORTED."""
        return [self.item(k) for st in (ItemState.FAILED, ItemState.NEEDS_ATTENTION,
                                         ItemState.ABORTED)
                for k in self.keys(st, 0, limit)]

    def amendments(self, original_key: str) -> List[str]:
        """Keys of the amendments and annulments of an item."""
        out = ctypes.c_void_p()
        self._check(self._lib.navoi_outbox_list_amendments(self._p, _ffi.cstr(original_key),
                                                           ctypes.byref(out), None),
                    "list_amendments")
        return _lines(self._lib, out)

    def _find(self, fn, what: str, *args) -> Optional[str]:
        out = ctypes.c_void_p()
        rc = fn(self._p, *args, ctypes.byref(out))
        if rc == self._lib.const.NAVOI_ENOTFOUND:
            return None
        self._check(rc, what)
        keys = _lines(self._lib, out)
        return keys[0] if keys else ""

    def find_by_number(self, invoice_number: str) -> Optional[str]:
        """Key of the item carrying an invoice number, or None."""
        return self._find(self._lib.navoi_outbox_find_by_number, "find_by_number",
                          _ffi.cstr(invoice_number))

    def find_by_transaction(self, transaction_id: str, index: int) -> Optional[str]:
        return self._find(self._lib.navoi_outbox_find_by_transaction, "find_by_transaction",
                          _ffi.cstr(transaction_id), int(index))

    def item(self, key: str) -> OutboxItem:
        """Snapshot of an item; raises NotFoundError for an unknown key."""
        lib = self._lib
        out = ctypes.c_void_p()
        self._check(lib.navoi_outbox_item_get(self._p, _ffi.cstr(key), ctypes.byref(out)),
                    "item")
        it = out.value
        _ffi.track("outbox_item", +1)
        try:
            return _snapshot(lib, it)
        finally:
            lib.navoi_outbox_item_free(it)
            _ffi.track("outbox_item", -1)

    # ---- metrics ----

    def metrics(self) -> "Metrics":
        """A Metrics reader of this outbox, refreshed once (refresh() it
        again later; it reads only new history entries)."""
        from .sync import Metrics
        return Metrics(self)

    def metrics_text(self) -> str:
        """One-shot: the metrics in Prometheus text format."""
        out = ctypes.c_void_p()
        self._check(self._lib.navoi_outbox_metrics_text(self._p, ctypes.byref(out)),
                    "metrics_text")
        if not out.value:
            return ""
        try:
            return ctypes.string_at(out.value).decode("utf-8", "replace")
        finally:
            self._lib.navoi_free(out)

    def __repr__(self) -> str:
        return "<navoi.Outbox%s>" % (" closed" if self.closed else "")


def state_name(state: int) -> str:
    return _ffi.pystr(_ffi.load().navoi_outbox_state_name(int(state))) or ""


def _snapshot(lib: _ffi.Lib, it: int) -> OutboxItem:
    s = _ffi.pystr
    index = ctypes.c_int32()
    tid = s(lib.navoi_outbox_item_transaction_id(it, ctypes.byref(index))) or ""
    enq, due = ctypes.c_int64(), ctypes.c_int64()
    lib.navoi_outbox_item_times(it, ctypes.byref(enq), ctypes.byref(due))
    code, cat, http = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    nav = ctypes.c_char_p()
    msg = s(lib.navoi_outbox_item_error(it, ctypes.byref(code), ctypes.byref(cat),
                                        ctypes.byref(http), ctypes.byref(nav))) or ""
    error = None
    if code.value != 0 or msg:
        error = ItemError(code.value, _enum(Category, cat.value), http.value,
                          s(nav.value) or "", msg)
    messages = []
    for k in range(lib.navoi_outbox_item_message_count(it)):
        kind, sev = ctypes.c_int(), ctypes.c_int()
        c, t, tag, val, line = (ctypes.c_char_p() for _ in range(5))
        if lib.navoi_outbox_item_message(it, k, ctypes.byref(kind), ctypes.byref(sev),
                                         ctypes.byref(c), ctypes.byref(t), ctypes.byref(tag),
                                         ctypes.byref(val), ctypes.byref(line)) != 0:
            continue
        parts = [s(x.value) or "" for x in (tag, val, line)]
        pointer = MessagePointer(parts[0], parts[1], parts[2], "") if any(parts) else None
        messages.append(ValidationMessage(_enum(MessageKind, kind.value),
                                          _enum(Severity, sev.value), s(c.value) or "",
                                          s(t.value) or "", pointer))
    history = []
    for k in range(lib.navoi_outbox_item_history_count(it)):
        tm = ctypes.c_int64()
        text = lib.navoi_outbox_item_history(it, k, ctypes.byref(tm))
        if text is not None:
            history.append(HistoryEntry(tm.value, s(text) or ""))
    return OutboxItem(
        key=s(lib.navoi_outbox_item_key(it)) or "",
        state=_enum(ItemState, lib.navoi_outbox_item_state(it)),
        operation=_enum(Operation, lib.navoi_outbox_item_operation(it)),
        invoice_number=s(lib.navoi_outbox_item_invoice_number(it)) or "",
        original_key=s(lib.navoi_outbox_item_original_key(it)) or "",
        transaction_id=tid, index=index.value,
        request_id=s(lib.navoi_outbox_item_request_id(it)) or "",
        attempts=int(lib.navoi_outbox_item_attempts(it)),
        enqueued_ms=enq.value, due_ms=due.value, error=error, messages=messages,
        annulment_status=s(lib.navoi_outbox_item_annulment_status(it)) or "",
        history=history,
        advice=s(lib.navoi_outbox_item_advice(it)) or "")


"""txn.py - Transaction: a manage transaction (navoi_txn handle) and the
plain snapshots of its items and validation messages."""
from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional

from . import _ffi
from ._handle import Handle
from .enums import MessageKind, Severity, Status
from .errors import check

if TYPE_CHECKING:
    from .client import Client


@dataclass(frozen=True)
class MessagePointer:
    """Where a validation message points in the invoice."""
    tag: str
    value: str
    line: str
    original_invoice_number: str


@dataclass(frozen=True)
class ValidationMessage:
    kind: MessageKind
    severity: Severity
    code: str
    text: str
    pointer: Optional[MessagePointer] = None


@dataclass(frozen=True)
class TransactionItem:
    """Processing result of one index of the transaction."""
    index: int
    batch_index: int
    status: Status
    messages: List[ValidationMessage] = field(default_factory=list)
    original: Optional[bytes] = None  # after a poll with return_original=True


@dataclass(frozen=True)
class AnnulmentDecision:
    date: str
    user: str


def _enum(cls, v):
    try:
        return cls(v)
    except ValueError:
        return v


class Transaction(Handle):
    """A manageInvoice/manageAnnulment transaction, or the answer of
    queryTransactionStatus. poll() and wait() update it through the client
    that made it; every property returns plain Python values.
    """

    _kind = "txn"
    _free_fn = "navoi_txn_free"

    def __init__(self, ptr: int, client: "Client") -> None:
        super().__init__(ptr)
        self._client = client

    @property
    def id(self) -> str:
        """transactionId."""
        return _ffi.pystr(self._lib.navoi_txn_id(self._p)) or ""

    @property
    def request_id(self) -> str:
        """requestId of the manage request ("" if not known)."""
        return _ffi.pystr(self._lib.navoi_txn_request_id(self._p)) or ""

    @property
    def is_final(self) -> bool:
        """Every item is DONE or ABORTED (and there is at least one)."""
        return bool(self._lib.navoi_txn_is_final(self._p))

    @property
    def annulment_status(self) -> str:
        """annulmentVerificationStatus ("" if none)."""
        return _ffi.pystr(self._lib.navoi_txn_annulment_status(self._p)) or ""

    @property
    def original_request_version(self) -> str:
        return _ffi.pystr(self._lib.navoi_txn_original_request_version(self._p)) or ""

    @property
    def annulment_decision(self) -> Optional[AnnulmentDecision]:
        """The primary user's decision on a technical annulment, or None."""
        d, u = ctypes.c_char_p(), ctypes.c_char_p()
        rc = self._lib.navoi_txn_annulment_decision(self._p, ctypes.byref(d), ctypes.byref(u))
        if rc != 0:
            return None
        return AnnulmentDecision(_ffi.pystr(d.value) or "", _ffi.pystr(u.value) or "")

    def _message(self, i: int, k: int) -> ValidationMessage:
        lib = self._lib
        kind, sev = ctypes.c_int(), ctypes.c_int()
        code, text = ctypes.c_char_p(), ctypes.c_char_p()
        check(lib.navoi_txn_message(self._p, i, k, ctypes.byref(kind), ctypes.byref(sev),
                                    ctypes.byref(code), ctypes.byref(text)))
        tag, value, line, orig = (ctypes.c_char_p() for _ in range(4))
        pointer = None
        if lib.navoi_txn_message_pointer(self._p, i, k, ctypes.byref(tag), ctypes.byref(value),
                                         ctypes.byref(line), ctypes.byref(orig)) == 0:
            parts = [_ffi.pystr(x.value) or "" for x in (tag, value, line, orig)]
            if any(parts):
                pointer = MessagePointer(*parts)
        return ValidationMessage(_enum(MessageKind, kind.value), _enum(Severity, sev.value),
                                 _ffi.pystr(code.value) or "", _ffi.pystr(text.value) or "",
                                 pointer)

    @property
    def items(self) -> List[TransactionItem]:
        """The per-index results (empty before the first poll)."""
        lib, p = self._lib, self._p
        out = []
        for i in range(lib.navoi_txn_item_count(p)):
            n = ctypes.c_size_t()
            orig = lib.navoi_txn_item_original(p, i, ctypes.byref(n))
            out.append(TransactionItem(
                index=int(lib.navoi_txn_item_index(p, i)),
                batch_index=int(lib.navoi_txn_item_batch_index(p, i)),
                status=_enum(Status, lib.navoi_txn_item_status(p, i)),
                messages=[self._message(i, k) for k in range(lib.navoi_txn_message_count(p, i))],
                original=ctypes.string_at(orig, n.value) if orig else None))
        return out

    def poll(self, return_original: bool = False) -> "Transaction":
        """Runs queryTransactionStatus once and updates the items."""
        c = self._client
        flags = self._lib.const.NAVOI_STATUS_RETURN_ORIGINAL if return_original else 0
        check(self._lib.navoi_txn_poll(c._p, self._p, flags), c._p, "queryTransactionStatus")
        return self

    def wait(self, timeout: float = 300.0, interval: float = 1.0,
             return_original: bool = False) -> "Transaction":
        """Polls until every item is DONE or ABORTED; raises TimeoutError
        (the builtin) when that takes longer than `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll(return_original)
            if self.is_final:
                return self
            if time.monotonic() >= deadline:
                raise TimeoutError("transaction %s not final after %.0f s" % (self.id, timeout))
            time.sleep(interval)

    def __repr__(self) -> str:
        if self.closed:
            return "<navoi.Transaction closed>"
        return "<navoi.Transaction %s final=%s>" % (self.id, self.is_final)

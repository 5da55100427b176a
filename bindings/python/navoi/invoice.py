"""invoice.py - Invoice: one InvoiceData document (navoi_invoice handle)."""
from __future__ import annotations

import ctypes
import os
from typing import TYPE_CHECKING, Optional, Union

from . import _ffi
from ._handle import Handle, new_handle
from .enums import Operation
from .errors import check

if TYPE_CHECKING:
    from .client import Client

PathLike = Union[str, "os.PathLike[str]"]


class Invoice(Handle):
    """An InvoiceData document to report, plain or gzip XML.

    ``Invoice(xml, Operation.CREATE)`` or ``Invoice.from_file(path)``; pass a
    client to validate against its schemas and to get its error detail.
    Use as a context manager or call close().
    """

    _kind = "invoice"
    _free_fn = "navoi_invoice_free"

    def __init__(self, xml: Union[bytes, bytearray, str], operation: Operation = Operation.CREATE,
                 client: Optional["Client"] = None) -> None:
        lib = _ffi.load()
        data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
        cp = client._p if client is not None else None
        rc, ptr = new_handle(lib.navoi_invoice_new, cp, data, len(data), int(operation))
        check(rc, cp, "invoice")
        super().__init__(ptr)

    @classmethod
    def from_file(cls, path: PathLike, operation: Operation = Operation.CREATE,
                  client: Optional["Client"] = None) -> "Invoice":
        lib = _ffi.load()
        cp = client._p if client is not None else None
        rc, ptr = new_handle(lib.navoi_invoice_new_from_file, cp,
                             _ffi.cstr(os.fspath(path)), int(operation))
        check(rc, cp, str(os.fspath(path)))
        self = cls.__new__(cls)
        Handle.__init__(self, ptr)
        return self

    @property
    def number(self) -> str:
        """invoiceNumber."""
        return _ffi.pystr(self._lib.navoi_invoice_number(self._p)) or ""

    @property
    def issue_date(self) -> str:
        """invoiceIssueDate, YYYY-MM-DD."""
        return _ffi.pystr(self._lib.navoi_invoice_issue_date(self._p)) or ""

    @property
    def operation(self) -> Operation:
        return Operation(self._lib.navoi_invoice_operation(self._p))

    @property
    def is_electronic(self) -> bool:
        """completenessIndicator: the report is the e-invoice itself."""
        return bool(self._lib.navoi_invoice_is_electronic(self._p))

    @property
    def xml(self) -> bytes:
        """The document bytes."""
        n = ctypes.c_size_t()
        p = self._lib.navoi_invoice_xml(self._p, ctypes.byref(n))
        return ctypes.string_at(p, n.value) if p else b""

    def __repr__(self) -> str:
        if self.closed:
            return "<navoi.Invoice closed>"
        return "<navoi.Invoice %s %s>" % (self.number, self.operation.name)

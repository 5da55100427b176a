"""_handle.py - ownership of one C handle: freed by close(), by leaving a
``with`` block or, as a safety net, when the Python object is collected."""
from __future__ import annotations

import ctypes
from types import TracebackType
from typing import Optional, Type, TypeVar

from . import _ffi

T = TypeVar("T", bound="Handle")


class Handle:
    _kind = ""      # "client", "invoice", ...
    _free_fn = ""   # name of the navoi_*_free function
    _ptr: Optional[int] = None

    def __init__(self, ptr: Optional[int]) -> None:
        if not ptr:
            raise ValueError("NULL handle")
        self._lib = _ffi.load()
        self._ptr = ptr
        _ffi.track(self._kind, +1)

    @property
    def closed(self) -> bool:
        return not self._ptr

    @property
    def _p(self) -> int:
        if not self._ptr:
            raise ValueError("%s is closed" % type(self).__name__)
        return self._ptr

    def close(self) -> None:
        """Frees the C handle. Idempotent."""
        ptr, self._ptr = self._ptr, None
        if ptr:
            getattr(self._lib, self._free_fn)(ptr)
            _ffi.track(self._kind, -1)

    def __enter__(self: T) -> T:
        self._p  # refuse a closed handle
        return self

    def __exit__(self, exc_type: Optional[Type[BaseException]],
                 exc: Optional[BaseException], tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the module may be gone
            pass


def new_handle(fn, *args) -> "tuple[int, ctypes.c_void_p]":
    """Calls a navoi_*_new style function whose first argument is the out
    pointer; returns (rc, pointer value or 0)."""
    out = ctypes.c_void_p()
    rc = fn(ctypes.byref(out), *args)
    return rc, (out.value or 0)

"""errors.py - exceptions mapped from navoi's error codes.

Every failed call raises a subclass of NavoiError chosen by the code. The
exception carries what the client handle knew right after the call: the
message, NAV's errorCode, the HTTP status and the triage category. These
texts come from libnavoi, which never puts a secret into them.
"""
from __future__ import annotations

from typing import Dict, Optional, Type

from . import _ffi
from .enums import Category, ErrorCode


class NavoiError(Exception):
    """A navoi call failed.

    Attributes: code (negative NAVOI_E* value), name ("ENAV"), message,
    nav_error_code (NAV's errorCode or ""), http_status (0 if none),
    category (Category: what to do about it), operation (the call or
    setting that failed, e.g. "manageInvoice", "login").
    """

    code: int = 0

    def __init__(self, code: int, message: str = "", nav_error_code: str = "",
                 http_status: int = 0, category: Category = Category.NONE,
                 operation: str = "") -> None:
        self.code = code
        self.operation = operation
        try:
            self.name = ErrorCode(code).name
        except ValueError:
            self.name = "E%d" % -code
        self.message = message or strerror(code)
        self.nav_error_code = nav_error_code
        self.http_status = http_status
        self.category = category
        super().__init__(str(self))

    def __str__(self) -> str:
        s = "%s: %s" % (self.name, self.message)
        if self.nav_error_code:
            s += " [%s]" % self.nav_error_code
        return s

    def __reduce__(self):  # picklable with its attributes (multiprocessing)
        return (type(self), (self.code, self.message, self.nav_error_code,
                             self.http_status, self.category, self.operation))


class InvalidArgumentError(NavoiError, ValueError):
    """NAVOI_EINVAL: bad argument (NULL, out of range, malformed setting)."""


class OutOfMemoryError(NavoiError):
    """NAVOI_ENOMEM."""


class FileIOError(NavoiError):
    """NAVOI_EIO: a local file could not be read or written."""


class ConfigError(NavoiError):
    """NAVOI_ECONFIG: a required setting is missing or unusable."""


class KeyFormatError(NavoiError):
    """NAVOI_EKEY: a key or password has the wrong form."""


class UnsafeKeyFileError(NavoiError):
    """NAVOI_EPERM: a key file has an unsafe mode or owner, or is a symlink."""


class XMLError(NavoiError):
    """NAVOI_EXML: input XML is not well-formed or has the wrong root."""


class SchemaError(NavoiError):
    """NAVOI_ESCHEMA: a document failed XSD validation."""


class NetworkError(NavoiError):
    """NAVOI_ENET: network failure before the request body was sent."""


class NavTimeoutError(NavoiError):
    """NAVOI_ETIMEOUT: no answer in time (manage calls: see AmbiguousOutcomeError)."""


class TLSError(NavoiError):
    """NAVOI_ETLS: TLS failure; never retried."""


class HTTPStatusError(NavoiError):
    """NAVOI_EHTTP: HTTP error status without a NAV XML body."""


class NavError(NavoiError):
    """NAVOI_ENAV: NAV answered funcCode ERROR; see nav_error_code."""


class ProtocolError(NavoiError):
    """NAVOI_EPROTO: the response is not a valid NAV response."""


class TooBigError(NavoiError):
    """NAVOI_ETOOBIG: a size limit was exceeded."""


class CryptoError(NavoiError):
    """NAVOI_ECRYPTO: token decryption failed (wrong exchange key?)."""


class CallbackError(NavoiError):
    """NAVOI_EUSER: a callback stopped the operation."""


class NotFoundError(NavoiError):
    """NAVOI_ENOTFOUND: the requested item does not exist."""


class StateError(NavoiError):
    """NAVOI_ESTATE: illegal state or state transition."""


class AmbiguousOutcomeError(NavoiError):
    """NAVOI_EAMBIGUOUS: a manage request may have reached NAV; reconcile
    before resubmitting."""


class SignatureMismatchError(NavoiError):
    """NAVOI_ESIGNATURE: a requestSignature does not match."""


class ValidationError(NavoiError):
    """NAVOI_EVALIDATION: the pre-submission validator found ERROR findings
    (the outbox refused the invoice)."""


# Constant name in navoi.h -> class. The value comes from the derived
# constants, so the mapping cannot disagree with the header; the bindings
# test fails when a NAVOI_E* constant has no class here.
BY_NAME: Dict[str, Type[NavoiError]] = {
    "NAVOI_EINVAL": InvalidArgumentError,
    "NAVOI_ENOMEM": OutOfMemoryError,
    "NAVOI_EIO": FileIOError,
    "NAVOI_ECONFIG": ConfigError,
    "NAVOI_EKEY": KeyFormatError,
    "NAVOI_EPERM": UnsafeKeyFileError,
    "NAVOI_EXML": XMLError,
    "NAVOI_ESCHEMA": SchemaError,
    "NAVOI_ENET": NetworkError,
    "NAVOI_ETIMEOUT": NavTimeoutError,
    "NAVOI_ETLS": TLSError,
    "NAVOI_EHTTP": HTTPStatusError,
    "NAVOI_ENAV": NavError,
    "NAVOI_EPROTO": ProtocolError,
    "NAVOI_ETOOBIG": TooBigError,
    "NAVOI_ECRYPTO": CryptoError,
    "NAVOI_EUSER": CallbackError,
    "NAVOI_ENOTFOUND": NotFoundError,
    "NAVOI_ESTATE": StateError,
    "NAVOI_EAMBIGUOUS": AmbiguousOutcomeError,
    "NAVOI_ESIGNATURE": SignatureMismatchError,
    "NAVOI_EVALIDATION": ValidationError,
}

_by_code: Optional[Dict[int, Type[NavoiError]]] = None


def error_class(code: int) -> Type[NavoiError]:
    """The exception class of a NAVOI_E* code (NavoiError for unknown codes)."""
    global _by_code
    if _by_code is None:
        consts = _ffi.load().model["constants"]
        m = {}
        for name, cls in BY_NAME.items():
            if name in consts:
                cls.code = consts[name]
                m[consts[name]] = cls
        _by_code = m
    return _by_code.get(code, NavoiError)


def strerror(code: int) -> str:
    lib = _ffi.load()
    return _ffi.pystr(lib.navoi_strerror(code)) or ""


def error_category(code: int, nav_error_code: Optional[str] = None,
                   manage: bool = False) -> Category:
    """Triage category of an error code and NAV errorCode (PROTOCOL.md 7)."""
    lib = _ffi.load()
    c = lib.navoi_error_category(code, _ffi.cstr(nav_error_code), 1 if manage else 0)
    try:
        return Category(c)
    except ValueError:
        return Category.NONE


def from_code(code: int, client_ptr: Optional[int] = None, context: str = "") -> NavoiError:
    """The exception for `code`, with the detail of the client handle that
    made the failed call (when there is one)."""
    lib = _ffi.load()
    cls = error_class(code)
    if client_ptr:
        msg = _ffi.pystr(lib.navoi_client_errmsg(client_ptr)) or ""
        nav = _ffi.pystr(lib.navoi_client_nav_error_code(client_ptr)) or ""
        http = int(lib.navoi_client_http_status(client_ptr))
        try:
            cat = Category(lib.navoi_client_error_category(client_ptr))
        except ValueError:
            cat = Category.NONE
    else:
        msg, nav, http = "", "", 0
        cat = error_category(code)
    if context and not msg:
        msg = "%s: %s" % (context, strerror(code))
    return cls(code, msg, nav, http, cat, context)


def check(code: int, client_ptr: Optional[int] = None, context: str = "") -> None:
    """Raises the mapped exception when code is not NAVOI_OK."""
    if code != 0:
        raise from_code(code, client_ptr, context)

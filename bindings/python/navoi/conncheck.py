"""conncheck.py - the outcome of Client.check_connection(): whether the
configured credentials work against NAV and, if not, what to change."""
from __future__ import annotations

from dataclasses import dataclass

from . import _ffi
from .enums import ConnStatus, Diagnosis


@dataclass(frozen=True)
class ConnectionCheck:
    """status (ConnStatus), diagnosis (Diagnosis), message (libnavoi's
    diagnosis text: what a person has to change; never a secret; "" when
    ACTIVE) and nav_error_code (NAV's errorCode behind the diagnosis, or "")."""
    status: ConnStatus
    diagnosis: Diagnosis
    message: str
    nav_error_code: str = ""

    @property
    def ok(self) -> bool:
        """NAV accepted the credentials."""
        return self.status == ConnStatus.ACTIVE

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        s = conn_status_name(self.status)
        if self.diagnosis != Diagnosis.NONE:
            s += " (%s)" % diagnosis_name(self.diagnosis)
        return s + (": " + self.message if self.message else "")


def conn_status_name(status: int) -> str:
    """"NO_CONFIG", "ACTIVE", "ERROR" ("UNKNOWN" for other values)."""
    return _ffi.pystr(_ffi.load().navoi_conn_status_name(int(status))) or ""


def diagnosis_name(diagnosis: int) -> str:
    """"WRONG_PASSWORD", "CLOCK_SKEW", ... ("UNKNOWN" for other values)."""
    return _ffi.pystr(_ffi.load().navoi_diagnosis_name(int(diagnosis))) or ""


def _enum(cls, v):
    try:
        return cls(v)
    except ValueError:
        return v

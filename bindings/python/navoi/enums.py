"""enums.py - the NAVOI_* enumerations of navoi.h as IntEnums.

The values are part of the stable ABI (explicit, appended only). They are
spelled here so type checkers and IDEs see them; the bindings test compares
every class with the constants derived from navoi.h (PREFIXES below) and
fails when a value differs or a constant has no member.
"""
from __future__ import annotations

from enum import IntEnum
from typing import Dict, Type


class ErrorCode(IntEnum):
    """NAVOI_OK and the NAVOI_E* error codes."""
    OK = 0
    EINVAL = -1
    ENOMEM = -2
    EIO = -3
    ECONFIG = -4
    EKEY = -5
    EPERM = -6
    EXML = -7
    ESCHEMA = -8
    ENET = -9
    ETIMEOUT = -10
    ETLS = -11
    EHTTP = -12
    ENAV = -13
    EPROTO = -14
    ETOOBIG = -15
    ECRYPTO = -16
    EUSER = -17
    ENOTFOUND = -18
    ESTATE = -19
    EAMBIGUOUS = -20
    ESIGNATURE = -21
    EVALIDATION = -22


class Category(IntEnum):
    """Triage category of an error (NAVOI_CAT_*)."""
    NONE = 0
    CONFIG = 1
    DATA = 2
    TRANSIENT = 3
    AMBIGUOUS = 4
    SECURITY = 5


class Environment(IntEnum):
    TEST = 1
    PRODUCTION = 2


class SoftwareOperation(IntEnum):
    LOCAL = 1
    ONLINE = 2


class Operation(IntEnum):
    """invoiceOperation; ANNUL only as the operation of an outbox item."""
    CREATE = 1
    MODIFY = 2
    STORNO = 3
    ANNUL = 4


class AnnulmentCode(IntEnum):
    ERRATIC_DATA = 1
    ERRATIC_INVOICE_NUMBER = 2
    ERRATIC_INVOICE_ISSUE_DATE = 3
    ERRATIC_ELECTRONIC_HASH_VALUE = 4


class Direction(IntEnum):
    OUTBOUND = 1
    INBOUND = 2


class Status(IntEnum):
    """Processing status of one transaction item."""
    UNKNOWN = 0
    RECEIVED = 1
    PROCESSING = 2
    SAVED = 3
    DONE = 4
    ABORTED = 5


class ItemState(IntEnum):
    """State of an outbox item (NAVOI_ITEM_*)."""
    PENDING = 1
    SENDING = 2
    SENT = 3
    DONE = 4
    ABORTED = 5
    FAILED = 6
    NEEDS_ATTENTION = 7


class MessageKind(IntEnum):
    TECHNICAL = 1
    BUSINESS = 2


class Severity(IntEnum):
    INFO = 1
    WARN = 2
    ERROR = 3
    CRITICAL = 4


class InvoiceHashMode(IntEnum):
    """electronicInvoiceHash input."""
    BASE64_TEXT = 1
    DECODED_XML = 2


class QueryOperator(IntEnum):
    EQ = 1
    GT = 2
    GTE = 3
    LT = 4
    LTE = 5


class ValidationMode(IntEnum):
    """What outbox enqueue does with the pre-submission validator."""
    OFF = 0
    FLAG = 1
    REFUSE = 2


class InvoiceCategory(IntEnum):
    """invoiceCategory of a built invoice (NAVOI_CATEGORY_*)."""
    NORMAL = 1
    SIMPLIFIED = 2
    AGGREGATE = 3


class AmountKind(IntEnum):
    """Which amount InvoiceBuilder.amount() computes (NAVOI_AMOUNT_*)."""
    NET = 1
    VAT = 2
    GROSS = 3
    NET_HUF = 4
    VAT_HUF = 5
    GROSS_HUF = 6


class SyncStat(IntEnum):
    """Counters of the current or last Sync.run() (NAVOI_SYNC_STAT_*)."""
    RUN_FROM = 1
    RUN_TO = 2
    WINDOWS = 3
    WINDOW = 4
    PAGE = 5
    PAGES = 6
    SEEN = 7
    FETCHED = 8
    SKIPPED = 9
    INCOMPLETE = 10
    REQUESTS = 11
    RESUMED = 12


class SyncFormat(IntEnum):
    """Format of Sync.summary() (NAVOI_SYNC_CSV, NAVOI_SYNC_JSON)."""
    CSV = 1
    JSON = 2


class ConnStatus(IntEnum):
    """Outcome of a connection check (NAVOI_CONN_*)."""
    NO_CONFIG = 1
    ACTIVE = 2
    ERROR = 3


class Diagnosis(IntEnum):
    """What a person has to change after a connection check (NAVOI_DIAG_*)."""
    NONE = 0
    MISSING_CONFIG = 1
    KEY_WHITESPACE = 2
    KEY_LENGTH = 3
    WRONG_PASSWORD = 4
    SIGNING_KEY = 5
    EXCHANGE_KEY = 6
    PERMISSION = 7
    NOT_REGISTERED = 8
    USER_RELATION = 9
    CLOCK_SKEW = 10
    WRONG_ENVIRONMENT = 11
    TLS = 12
    NETWORK = 13
    HTTP = 14
    MAINTENANCE = 15
    OTHER = 16


class LogLevel(IntEnum):
    ERROR = 1
    WARN = 2
    INFO = 3
    DEBUG = 4
    TRACE = 5


# Class -> prefix of its constants in navoi.h (member NAME is PREFIX + NAME).
PREFIXES: Dict[Type[IntEnum], str] = {
    ErrorCode: "NAVOI_",
    Category: "NAVOI_CAT_",
    Environment: "NAVOI_ENV_",
    SoftwareOperation: "NAVOI_SOFTWARE_",
    Operation: "NAVOI_OP_",
    AnnulmentCode: "NAVOI_ANNUL_",
    Direction: "NAVOI_",
    Status: "NAVOI_STATUS_",
    ItemState: "NAVOI_ITEM_",
    MessageKind: "NAVOI_MSG_",
    Severity: "NAVOI_SEVERITY_",
    InvoiceHashMode: "NAVOI_EHASH_",
    QueryOperator: "NAVOI_QOP_",
    LogLevel: "NAVOI_LOG_",
    ValidationMode: "NAVOI_OUTBOX_VALIDATE_",
    InvoiceCategory: "NAVOI_CATEGORY_",
    AmountKind: "NAVOI_AMOUNT_",
    SyncStat: "NAVOI_SYNC_STAT_",
    SyncFormat: "NAVOI_SYNC_",
    ConnStatus: "NAVOI_CONN_",
    Diagnosis: "NAVOI_DIAG_",
}

# Constants the Pythonic layer expresses otherwise (keyword arguments) or
# that belong to a C-only feature (custom storage backends).
FLAGS: Dict[str, str] = {
    "NAVOI_MANAGE_COMPRESS": "Client.manage_invoice(compress=True)",
    "NAVOI_STATUS_RETURN_ORIGINAL": "return_original=True",
    "NAVOI_CHECK_QUERY_ONLY": "Client.check_connection(query_only=True)",
    "NAVOI_STORAGE_OPS_VERSION": "custom storage backends are C-only (NOT_EXPOSED)",
    "NAVOI_STORAGE_BY_KEY": "custom storage backends are C-only",
    "NAVOI_STORAGE_BY_STATE": "custom storage backends are C-only",
    "NAVOI_STORAGE_BY_DUE": "custom storage backends are C-only",
    "NAVOI_STORAGE_BY_NUMBER": "custom storage backends are C-only",
    "NAVOI_STORAGE_BY_GROUP": "custom storage backends are C-only",
    "NAVOI_STORAGE_BY_ORIGINAL": "custom storage backends are C-only",
}

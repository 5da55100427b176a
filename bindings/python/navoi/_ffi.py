"""_ffi.py - loads libnavoi with ctypes and binds it from the derived
declarations.

Nothing here is written by hand from navoi.h: the build derives
navoi_ffi.json from the header (bindings/gen_ffi.py) and every ctypes
signature is made from it, so a new function of the C API is callable as
``lib.navoi_new_function`` as soon as the library and the header have it.

Where things are found:
  library       $NAVOI_LIBRARY, else the newest non-sanitized build tree of
                this source checkout (build*/src, build/*/src), else the
                system soname libnavoi.so.0.
  declarations  $NAVOI_FFI_DIR, else navoi/ffi/ inside this package (a
                packaged copy), else bindings/ of the library's build tree,
                else /usr/local/share/navoi/ffi, /usr/share/navoi/ffi
                (installed by ``meson install``).
"""
from __future__ import annotations

import ctypes
import json
import os
import re
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

SONAME = "libnavoi.so.0"
_PKG_DIR = Path(__file__).resolve().parent
_SRC_ROOT = _PKG_DIR.parent.parent.parent
_SYSTEM_FFI_DIRS = (Path("/usr/local/share/navoi/ffi"), Path("/usr/share/navoi/ffi"))

# Functions of navoi.h the Pythonic layer deliberately does not expose; the
# bindings test accepts exactly these as unbound. Everything else must be
# called from the package.
NOT_EXPOSED: Dict[str, str] = {
    "navoi_set_allocator": "process-wide C allocator hook that must precede every other "
                           "call; Python code has no use for it",
    "navoi_client_set_clock": "deterministic-test hook for C callers (issue 6: not exposed)",
    "navoi_client_set_random": "deterministic-test hook for C callers (issue 6: not exposed)",
    "navoi_result_get": "results are copied whole into dicts (field_name/field_value), "
                        "so a lookup by path is a dict lookup",
    "navoi_storage_ops_init": "custom storage backends (ops table of C callbacks) are C-only; "
                              "Python uses the SQLite outbox",
    "navoi_outbox_new": "custom storage backends are C-only; see Outbox.open_sqlite",
    "navoi_sync_new": "custom storage backends are C-only; see Sync.open_sqlite",
}

# Sections of navoi.h (its @@NAME-SECTION@@ markers) whose functions and
# constants this binding does not cover yet. The bindings test lists them
# but does not fail on them; every other section must be covered. Empty:
# every section is bound (BUILDER and SYNC since issue 6 was finished).
DEFERRED_SECTIONS: Dict[str, str] = {}


class LoadError(OSError):
    """libnavoi or its derived declarations could not be loaded."""


def _sanitized(build_dir: Path) -> bool:
    try:
        with open(build_dir / "meson-info" / "intro-buildoptions.json", encoding="utf-8") as f:
            for opt in json.load(f):
                if opt.get("name") == "b_sanitize":
                    v = opt.get("value")
                    return bool(v) and v != "none" and v != ["none"]
    except (OSError, ValueError):
        pass
    return False


def _build_trees() -> List[Path]:
    """Build trees of this checkout that hold a loadable libnavoi, newest first."""
    found = []
    for pattern in ("build*", "build/*"):
        for d in _SRC_ROOT.glob(pattern):
            lib = d / "src" / SONAME
            if lib.exists() and not _sanitized(d):
                found.append((lib.stat().st_mtime, d))
    found.sort(key=lambda t: t[0], reverse=True)
    return [d for _, d in found]


def locate() -> Tuple[str, Path]:
    """Returns (library path or soname, directory of navoi_ffi.json)."""
    lib = os.environ.get("NAVOI_LIBRARY") or ""
    build: Optional[Path] = None
    if not lib:
        trees = _build_trees()
        if trees:
            build = trees[0]
            lib = str(build / "src" / SONAME)
        else:
            lib = SONAME
    elif os.sep in lib:
        # BUILD/src/libnavoi.so.0 -> BUILD
        parent = Path(lib).resolve().parent
        if parent.name == "src":
            build = parent.parent
    env_dir = os.environ.get("NAVOI_FFI_DIR")
    candidates = [Path(env_dir)] if env_dir else []
    candidates.append(_PKG_DIR / "ffi")
    if build is not None:
        candidates.append(build / "bindings")
    candidates.extend(_SYSTEM_FFI_DIRS)
    for d in candidates:
        if (d / "navoi_ffi.json").is_file():
            return lib, d
    raise LoadError("navoi_ffi.json not found (looked in %s); build libnavoi with meson "
                    "or set NAVOI_FFI_DIR" % ", ".join(str(c) for c in candidates))


_SCALARS: Dict[str, Any] = {
    "int": ctypes.c_int, "unsigned": ctypes.c_uint, "unsigned int": ctypes.c_uint,
    "size_t": ctypes.c_size_t, "char": ctypes.c_char, "unsigned char": ctypes.c_ubyte,
    "int8_t": ctypes.c_int8, "uint8_t": ctypes.c_uint8, "int16_t": ctypes.c_int16,
    "uint16_t": ctypes.c_uint16, "int32_t": ctypes.c_int32, "uint32_t": ctypes.c_uint32,
    "int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64, "double": ctypes.c_double,
}


class _Types:
    """Maps the C type spellings of navoi_ffi.json to ctypes."""

    def __init__(self, model: Dict[str, Any]) -> None:
        self.handles = set(model["handles"])
        self.callbacks: Dict[str, Any] = {}
        self.structs: Dict[str, Any] = {}
        for name in model["structs"]:
            self.structs[name] = type(name, (ctypes.Structure,), {})
        for name, cb in model["callbacks"].items():
            self.callbacks[name] = self.fn_type(cb["ret"], cb["params"])
        for name, fields in model["structs"].items():
            cfields = []
            for f in fields:
                if f["kind"] == "fn":
                    cfields.append((f["name"], self.fn_type(f["ret"], f["params"])))
                else:
                    t = self.ctype(f["type"])
                    if "array" in f:
                        t = t * f["array"]
                    cfields.append((f["name"], t))
            self.structs[name]._fields_ = cfields

    def fn_type(self, ret: str, params: List[List[str]]) -> Any:
        return ctypes.CFUNCTYPE(self.ctype(ret), *(self.ctype(p[0]) for p in params))

    def ctype(self, t: str, binary: bool = False) -> Any:
        depth = t.count("*")
        base = " ".join(re.sub(r"\bconst\b|\bstruct\b|\*", " ", t).split())
        if depth == 0:
            if base == "void":
                return None
            if base in self.callbacks:
                return self.callbacks[base]
            if base in self.structs:
                return self.structs[base]
            return _SCALARS[base]
        if depth == 1:
            if base == "char":
                # Binary data (with a length out) must not stop at a NUL.
                return ctypes.c_void_p if binary else ctypes.c_char_p
            if base == "void" or base in self.handles:
                return ctypes.c_void_p
            if base in self.structs:
                return ctypes.POINTER(self.structs[base])
            return ctypes.POINTER(self.ctype(base))
        if depth == 2 and base == "char":
            # const char ** / const char *const *: borrowed strings; char **:
            # memory the caller owns, kept as a raw pointer for navoi_free().
            return ctypes.POINTER(ctypes.c_char_p if t.startswith("const") else ctypes.c_void_p)
        if depth == 2:
            return ctypes.POINTER(ctypes.c_void_p)
        raise LoadError("cannot map C type '%s'" % t)


class Lib:
    """The bound functions (``lib.navoi_client_new``) and constants
    (``lib.const.NAVOI_OK``)."""

    def __init__(self, path: str, model: Dict[str, Any]) -> None:
        try:
            self._dll = ctypes.CDLL(path)
        except OSError as e:
            raise LoadError("cannot load %s: %s" % (path, e)) from None
        self.path = path
        self.model = model
        self.types = _Types(model)
        self.const = type("Constants", (), dict(model["constants"]))()
        self.functions: Dict[str, Any] = {}
        self.missing: List[str] = []
        for f in model["functions"]:
            try:
                fn = getattr(self._dll, f["name"])
            except AttributeError:
                # An older library than the header: everything else works,
                # the missing function raises when called.
                self.missing.append(f["name"])
                setattr(self, f["name"], self._missing(f["name"]))
                continue
            binary = any(p[1] == "len_out" for p in f["params"])
            fn.restype = self.types.ctype(f["ret"], binary=binary)
            fn.argtypes = [self.types.ctype(p[0]) for p in f["params"]]
            self.functions[f["name"]] = fn
            setattr(self, f["name"], fn)

    def _missing(self, name: str) -> Callable[..., Any]:
        def call(*_args: Any) -> Any:
            raise LoadError("%s lacks %s: the library is older than the header its "
                            "declarations were derived from" % (self.path, name))
        return call

    def callback(self, typedef: str, fn: Callable[..., Any]) -> Any:
        """Wraps a Python callable as the C callback type `typedef`."""
        return self.types.callbacks[typedef](fn)

    def null_callback(self, typedef: str) -> Any:
        """A NULL function pointer of the C callback type `typedef` (ctypes
        refuses None for a CFUNCTYPE argument)."""
        return self.types.callbacks[typedef]()


_lock = threading.Lock()
_lib: Optional[Lib] = None


def load() -> Lib:
    """Loads the library once per process."""
    global _lib
    with _lock:
        if _lib is None:
            path, ffi_dir = locate()
            with open(ffi_dir / "navoi_ffi.json", encoding="utf-8") as f:
                model = json.load(f)
            _lib = Lib(path, model)
        return _lib


# ---- live handle accounting (the memory test reads it) ----

_live: Dict[str, int] = {}
_live_lock = threading.Lock()


def track(kind: str, delta: int) -> None:
    with _live_lock:
        _live[kind] = _live.get(kind, 0) + delta


def live_handles() -> Dict[str, int]:
    """Number of C handles currently owned by Python objects, per kind."""
    with _live_lock:
        return {k: v for k, v in _live.items() if v}


def cstr(value: Optional[str]) -> Optional[bytes]:
    """str -> NUL-free UTF-8 bytes for a const char * argument."""
    if value is None:
        return None
    b = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if b"\0" in b:
        raise ValueError("string arguments must not contain NUL characters")
    return b


def pystr(value: Optional[bytes]) -> Optional[str]:
    return None if value is None else value.decode("utf-8", errors="replace")

"""The derived declarations agree with navoi.h, and the Python binding
covers every function and constant of it."""
import json
import os
import re
import sys
import unittest
from pathlib import Path

import navoi
from navoi import _ffi, enums, errors

ROOT = Path(__file__).resolve().parents[3]
HEADER = Path(os.environ.get("NAVOI_HEADER") or ROOT / "include" / "navoi" / "navoi.h")
PKG = Path(navoi.__file__).resolve().parent

sys.path.insert(0, str(ROOT / "bindings"))
import gen_ffi  # noqa: E402


def header_functions(text):
    """Every NAVOI_API function of navoi.h, found independently of gen_ffi:
    the identifier before the first '(' of each NAVOI_API declaration."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    names = []
    for m in re.finditer(r"^\s*NAVOI_API\b([^;]*);", text, flags=re.M):
        f = re.search(r"\b(navoi_\w+)\s*\(", m.group(1))
        if f:
            names.append(f.group(1))
    return names


def header_constants(text):
    return dict((m.group(1), int(m.group(2).replace("(", "").replace(")", "").rstrip("uU")))
                for m in re.finditer(r"^#define\s+(NAVOI_\w+)\s+(\(?-?\d+[uU]?\)?)\s*(?:/\*|$)",
                                     text, flags=re.M))


class DerivedHeader(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = HEADER.read_text(encoding="utf-8")
        cls.lib = _ffi.load()
        _, cls.ffi_dir = _ffi.locate()

    def test_build_copy_is_current(self):
        # The build derives navoi_ffi.h/.json; regenerating now must give
        # the same bytes, else the build tree is stale against navoi.h.
        cdef, model = gen_ffi.derive(self.text, strict=False)
        self.assertEqual((self.ffi_dir / "navoi_ffi.h").read_text(encoding="utf-8"), cdef)
        built = json.loads((self.ffi_dir / "navoi_ffi.json").read_text(encoding="utf-8"))
        self.assertEqual(built, json.loads(json.dumps(model)))

    def test_header_within_ffi_subset(self):
        _, model = gen_ffi.derive(self.text, strict=False)
        self.assertEqual(model["errors"], [], "declarations left out of the bindings")

    def test_every_header_function_derived(self):
        want = header_functions(self.text)
        self.assertGreater(len(want), 80)
        got = [f["name"] for f in self.lib.model["functions"]]
        self.assertEqual(sorted(want), sorted(got))

    def test_every_constant_derived(self):
        want = header_constants(self.text)
        self.assertIn("NAVOI_ENAV", want)
        self.assertEqual(want, self.lib.model["constants"])

    def test_cdef_has_no_preprocessor_or_comment(self):
        cdef = (self.ffi_dir / "navoi_ffi.h").read_text(encoding="utf-8")
        self.assertNotIn("#", cdef)
        self.assertNotIn("/*", cdef)
        self.assertNotIn("NAVOI_API", cdef)
        self.assertNotIn("extern", cdef)

    def deferred(self):
        """Functions and constants of the sections the binding defers."""
        m = self.lib.model
        fns = {f["name"] for f in m["functions"]
               if f.get("section", "") in _ffi.DEFERRED_SECTIONS}
        consts = {k for k, sec in m["constant_sections"].items()
                  if sec in _ffi.DEFERRED_SECTIONS}
        return fns, consts

    def test_every_function_bound(self):
        src = "\n".join(p.read_text(encoding="utf-8") for p in PKG.glob("*.py")
                        if p.name != "_ffi.py")
        used = set(re.findall(r"(?:lib|load\(\))\.(navoi_\w+)", src))
        used |= set(re.findall(r'_free_fn = "(navoi_\w+)"', src))
        functions = {f["name"] for f in self.lib.model["functions"]}
        deferred, _ = self.deferred()
        missing = sorted(functions - used - set(_ffi.NOT_EXPOSED) - deferred)
        self.assertEqual(missing, [], "navoi.h functions without a Python binding")
        self.assertEqual(sorted(used - functions), [], "bound functions navoi.h lacks")
        self.assertEqual(sorted(set(_ffi.NOT_EXPOSED) - functions), [])
        if deferred:
            sys.stderr.write("\nnot yet bound (deferred sections %s): %d functions\n"
                             % (", ".join(_ffi.DEFERRED_SECTIONS), len(deferred)))

    def test_enums_match_constants(self):
        consts = self.lib.model["constants"]
        claimed = set(enums.FLAGS) | self.deferred()[1]
        for cls, prefix in enums.PREFIXES.items():
            for member in cls:
                name = prefix + member.name
                self.assertIn(name, consts, "%s.%s" % (cls.__name__, member.name))
                self.assertEqual(consts[name], int(member), name)
                claimed.add(name)
        self.assertEqual(sorted(set(consts) - claimed), [],
                         "navoi.h constants without an enum member or flag")

    def test_every_error_code_has_an_exception(self):
        consts = self.lib.model["constants"]
        codes = {k for k in consts if re.fullmatch(r"NAVOI_E[A-Z]+", k)}
        self.assertEqual(sorted(codes - set(errors.BY_NAME)), [])
        for name, cls in errors.BY_NAME.items():
            self.assertIs(errors.error_class(consts[name]), cls)
            self.assertTrue(issubclass(cls, navoi.NavoiError))
        self.assertIs(errors.error_class(-9999), navoi.NavoiError)

    def test_version(self):
        self.assertRegex(navoi.version(), r"^\d+\.\d+\.\d+$")
        major, minor, patch = (int(x) for x in navoi.version().split("."))
        self.assertEqual(navoi.version_num(), (major << 16) | (minor << 8) | patch)


class DeriveRejects(unittest.TestCase):
    """The generator keeps the header inside what FFI layers can load."""

    def derive(self, extra):
        text = HEADER.read_text(encoding="utf-8").replace(
            "#ifdef __cplusplus\n}", extra + "\n#ifdef __cplusplus\n}")
        return gen_ffi.derive(text, strict=False)

    def test_varargs_left_out(self):
        cdef, model = self.derive("NAVOI_API int navoi_x_printf(const char *fmt, ...);")
        self.assertNotIn("navoi_x_printf", cdef)
        self.assertEqual(len(model["errors"]), 1)

    def test_unversioned_struct_left_out(self):
        _, model = self.derive("typedef struct navoi_x { int a; } navoi_x;")
        self.assertIn("version", model["errors"][0])

    def test_ops_table_accepted(self):
        cdef, model = self.derive(
            "typedef struct navoi_store_ops {\n  uint32_t version;\n"
            "  int (*put)(void *ud, const char *key, const unsigned char *v, size_t n);\n"
            "} navoi_store_ops;\n"
            "NAVOI_API int navoi_store_ops_init(navoi_store_ops *ops, uint32_t version);")
        self.assertEqual(model["errors"], [])
        self.assertIn("navoi_store_ops", model["structs"])
        types = _ffi._Types(model)
        self.assertEqual([f[0] for f in types.structs["navoi_store_ops"]._fields_],
                         ["version", "put"])


if __name__ == "__main__":
    unittest.main()

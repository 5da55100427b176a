#!/usr/bin/env python3
"""gen_ffi.py - derives the FFI declarations of the bindings from navoi.h.

The Python (ctypes) and PHP (FFI) bindings never carry a hand-written copy
of the C API. The build runs this script on include/navoi/navoi.h and
writes three files:

  navoi_ffi.h     the declarations as plain C that PHP's FFI::cdef/FFI::load
                  (and cffi's cdef) accept: typedefs, struct definitions and
                  prototypes, without comments, preprocessor lines, NAVOI_API
                  or extern "C".
  navoi_ffi_php.h navoi_ffi.h behind "#define FFI_SCOPE "NAVOI"" and
                  "#define FFI_LIB "libnavoi.so.0"": the file PHP's
                  ffi.preload (or FFI::load in opcache.preload) takes.
  navoi_ffi.json  the same declarations parsed (handles, callback types,
                  structs, functions with return and parameter types) plus
                  every integer #define NAVOI_*: ctypes builds its
                  signatures from it, the tests compare the bindings with it.
                  Declarations after a "@@NAME-SECTION@@" marker of navoi.h
                  carry that section (functions: "section", constants:
                  "constant_sections").

Only the FFI-friendly subset of C that navoi.h promises is accepted (opaque
handles, integers, strings, pointers, function-pointer typedefs, versioned
ops-table structs). Anything else is left out with a warning and listed
in navoi_ffi.json "errors"; the bindings test suite fails on it, so the
header cannot drift out of what the bindings can load without a red test
(the build itself never fails because of the bindings).

Usage: gen_ffi.py NAVOI_H OUTDIR   (stdlib only; also imported by the tests)
"""
import json
import os
import re
import sys

# Conditions of navoi.h that are false for a consumer of the installed
# library (C++ guards, the library's own build).
_FALSE_CONDITIONS = ("__cplusplus", "NAVOI_BUILDING")

_INT_TYPES = {
    "void", "char", "unsigned char", "int", "unsigned", "unsigned int",
    "size_t", "int32_t", "uint32_t", "int64_t", "uint64_t", "uint8_t",
    "int8_t", "uint16_t", "int16_t", "double",
}


class HeaderError(Exception):
    """navoi.h contains something the FFI subset does not allow."""


def _strip_comments(text):
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise HeaderError("unterminated comment")
            # Keep line breaks so preprocessor lines stay lines.
            out.append("\n" * text.count("\n", i, j))
            i = j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _int_value(expr):
    """Value of an integer #define such as 0, (-1), 1u, 0x10, (1u << 3)."""
    e = expr.strip()
    if not re.fullmatch(r"[0-9a-fA-FxXuUlL()<>|+\- ]+", e):
        return None
    e = re.sub(r"(?<=[0-9a-fA-F])[uUlL]+\b", "", e)
    try:
        v = eval(e, {"__builtins__": {}}, {})  # digits and operators only
    except Exception:
        return None
    return v if isinstance(v, int) else None


# navoi.h marks where each engineer appends a section:
#   /* @@OUTBOX-SECTION@@ (...) */
# The marker comment becomes a line "@@SECTION OUTBOX@@" that survives
# comment stripping, so every declaration can be attributed to its section
# ("" = the core API before the first marker).
_SECTION_COMMENT = re.compile(r"/\*\s*@@(\w+)-SECTION@@.*?\*/", re.S)
_SECTION_LINE = re.compile(r"@@SECTION (\w+)@@")


def _preprocess(text):
    """Drops preprocessor lines, keeps the active branches, collects the
    integer NAVOI_* constants. Returns (code, constants, {constant:
    section} for constants outside the core)."""
    lines = text.split("\n")
    # Join backslash continuations.
    joined, buf = [], ""
    for line in lines:
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        joined.append(buf + line)
        buf = ""
    stack = []  # (active, taken) per open conditional
    active = True
    code, constants, sections = [], {}, {}
    section = ""
    for line in joined:
        s = line.strip()
        sm = _SECTION_LINE.fullmatch(s)
        if sm:
            section = sm.group(1)
            code.append(line)
            continue
        if not s.startswith("#"):
            if active:
                code.append(line)
            continue
        d = re.match(r"#\s*(\w+)\s*(.*)", s)
        kw, rest = (d.group(1), d.group(2)) if d else ("", "")
        if kw in ("if", "ifdef", "ifndef"):
            if kw == "ifndef":
                cond = True  # include guards
            else:
                cond = not any(f in rest for f in _FALSE_CONDITIONS)
            stack.append((active, cond))
            active = active and cond
        elif kw in ("elif", "else"):
            if not stack:
                raise HeaderError("#%s without #if" % kw)
            outer, taken = stack[-1]
            cond = (not taken) and (kw == "else" or
                                    not any(f in rest for f in _FALSE_CONDITIONS))
            stack[-1] = (outer, taken or cond)
            active = outer and cond
        elif kw == "endif":
            if not stack:
                raise HeaderError("#endif without #if")
            active = stack.pop()[0]
        elif kw == "define" and active:
            m = re.match(r"(NAVOI_\w+)\s+(.+)$", rest)
            if m:
                v = _int_value(m.group(2))
                if v is not None:
                    if m.group(1) in constants:
                        raise HeaderError("%s defined twice" % m.group(1))
                    constants[m.group(1)] = v
                    if section:
                        sections[m.group(1)] = section
        # #include, #error, #pragma, #undef: nothing for the FFI
    if stack:
        raise HeaderError("unterminated #if")
    return "\n".join(code), constants, sections


def _statements(code):
    """Splits code into top-level statements (ending with ';' outside
    braces); drops extern "C" wrappers and empty statements."""
    code = re.sub(r"\bNAVOI_API\b", " ", code)
    out, depth, cur = [], 0, []
    for ch in code:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise HeaderError("unbalanced '}'")
        cur.append(ch)
        if ch == ";" and depth == 0:
            s = " ".join("".join(cur).split())
            cur = []
            if s != ";":
                out.append(s)
    rest = " ".join("".join(cur).split())
    if rest:
        raise HeaderError("declaration without ';': %s" % rest[:80])
    return out


def _norm_type(t):
    """'const  char*const *' -> 'const char *const *'."""
    t = " ".join(t.replace("*", " * ").split())
    t = t.replace("* const", "*const").replace("* *", "**")
    t = re.sub(r"\*\s+(?=\*)", "*", t)
    t = re.sub(r"(\w)\s*\*", r"\1 *", t)
    return t.strip()


def _split_params(s):
    parts, depth, cur = [], 0, []
    for ch in s:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    last = "".join(cur).strip()
    if last:
        parts.append(last)
    return parts


class _Parser:
    def __init__(self):
        self.handles = []
        self.callbacks = {}
        self.structs = {}
        self.functions = []
        self.section = ""

    def known(self, base):
        return (base in _INT_TYPES or base in self.handles or base in self.callbacks
                or base in self.structs)

    def check_type(self, t, where):
        base = re.sub(r"\bconst\b|\*|\bstruct\b", " ", t)
        base = " ".join(base.split())
        if not self.known(base):
            raise HeaderError("%s: type '%s' is not in the FFI subset "
                              "(declare it in navoi.h first)" % (where, t))

    def param(self, p, where, i):
        """'const char *name' -> [type, name]; function-pointer parameters
        must use a typedef."""
        if "(" in p:
            raise HeaderError("%s: inline function-pointer parameter '%s'; use a "
                              "typedef'd navoi_*_fn" % (where, p))
        if p == "void":
            return None
        m = re.match(r"(.*?)(\w+)\s*$", p)
        if not m or not m.group(1).strip() or m.group(2) in ("int", "char", "unsigned"):
            raise HeaderError("%s: parameter %d '%s' needs a type and a name"
                              % (where, i + 1, p))
        t = _norm_type(m.group(1))
        self.check_type(t, where)
        return [t, m.group(2)]

    def params(self, s, where):
        out = []
        for i, p in enumerate(_split_params(s)):
            r = self.param(p, where, i)
            if r is not None:
                out.append(r)
        if s.strip() == "":
            raise HeaderError("%s: empty parameter list; write (void)" % where)
        return out

    def fnptr(self, s, where):
        """'RET (*name)(PARAMS)' -> (name, ret, params) or None."""
        m = re.fullmatch(r"(.+?)\(\s*\*\s*(\w+)\s*\)\s*\((.*)\)", s)
        if not m:
            return None
        ret = _norm_type(m.group(1))
        self.check_type(ret, where)
        return m.group(2), ret, self.params(m.group(3), m.group(2))

    def statement(self, s):
        body = s[:-1].strip()
        m = re.fullmatch(r"typedef struct (\w+) (\w+)", body)
        if m:
            if m.group(1) != m.group(2):
                raise HeaderError("typedef struct %s %s: names must match" % m.groups())
            self.handles.append(m.group(1))
            return
        m = re.fullmatch(r"typedef struct (\w+) \{(.*)\} (\w+)", body)
        if m:
            name = m.group(1)
            if name != m.group(3):
                raise HeaderError("typedef struct %s {...} %s: names must match"
                                  % (name, m.group(3)))
            self.structs[name] = []  # lets members point to their own struct
            try:
                self.structs[name] = self.struct_fields(name, m.group(2))
            except HeaderError:
                del self.structs[name]
                raise
            return
        self.other(s, body)

    def struct_fields(self, name, body):
        fields = []
        for member in _statements(body):
            mb = member[:-1].strip()
            fp = self.fnptr(mb, name)
            if fp:
                fields.append({"name": fp[0], "kind": "fn", "ret": fp[1],
                               "params": fp[2]})
                continue
            mm = re.fullmatch(r"(.*?)(\w+)(\s*\[\s*(\d+)\s*\])?", mb)
            if not mm or not mm.group(1).strip():
                raise HeaderError("struct %s: member '%s' not in the FFI subset"
                                  % (name, mb))
            t = _norm_type(mm.group(1))
            self.check_type(t, name)
            f = {"name": mm.group(2), "kind": "value", "type": t}
            if mm.group(4):
                f["array"] = int(mm.group(4))
            fields.append(f)
        if not fields or fields[0]["name"] != "version":
            raise HeaderError("struct %s: a public struct is a versioned ops table; "
                              "its first member must be 'version'" % name)
        return fields

    def other(self, s, body):
        if body.startswith("typedef "):
            fp = self.fnptr(body[len("typedef "):], "typedef")
            if not fp:
                raise HeaderError("typedef not in the FFI subset: %s" % s)
            self.callbacks[fp[0]] = {"ret": fp[1], "params": fp[2]}
            return
        if "..." in body:
            raise HeaderError("varargs are not FFI-friendly: %s" % s)
        m = re.fullmatch(r"(.+?)\b(navoi_\w+)\s*\((.*)\)", body)
        if not m:
            raise HeaderError("declaration not in the FFI subset: %s" % s)
        ret = _norm_type(m.group(1))
        self.check_type(ret, m.group(2))
        f = {"name": m.group(2), "ret": ret, "params": self.params(m.group(3), m.group(2))}
        if self.section:
            f["section"] = self.section
        self.functions.append(f)


def derive(header_text, strict=True):
    """Returns (cdef_text, model) for the text of navoi.h. strict=False
    leaves declarations outside the FFI subset out and lists them in
    model["errors"] instead of raising: the build then never fails because
    of the bindings, their test suite does."""
    marked = _SECTION_COMMENT.sub(lambda m: "\n@@SECTION %s@@\n" % m.group(1), header_text)
    code, constants, constant_sections = _preprocess(_strip_comments(marked))
    p = _Parser()
    stmts, errors = [], []
    chunks = _SECTION_LINE.split(code)  # [core, name1, code1, name2, code2, ...]
    for section, chunk in zip([""] + chunks[1::2], chunks[0::2]):
        p.section = section
        for s in _statements(chunk):
            try:
                p.statement(s)
            except HeaderError as e:
                if strict:
                    raise
                errors.append(str(e))
                continue
            stmts.append(s)
    names = [f["name"] for f in p.functions]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise HeaderError("declared twice: %s" % ", ".join(dup))
    cdef = "\n".join(stmts) + "\n"
    model = {
        "source": "include/navoi/navoi.h",
        "constants": constants,
        "handles": p.handles,
        "callbacks": p.callbacks,
        "structs": p.structs,
        "functions": p.functions,
        "constant_sections": constant_sections,
        "errors": errors,
    }
    return cdef, model


PHP_SCOPE = "NAVOI"
SONAME = "libnavoi.so.0"


def php_header(cdef, lib=SONAME):
    """The declarations as a PHP FFI::load / ffi.preload file."""
    return '#define FFI_SCOPE "%s"\n#define FFI_LIB "%s"\n%s' % (PHP_SCOPE, lib, cdef)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: gen_ffi.py NAVOI_H OUTDIR\n")
        return 2
    with open(argv[1], encoding="utf-8") as f:
        text = f.read()
    try:
        cdef, model = derive(text, strict=False)
    except HeaderError as e:
        sys.stderr.write("gen_ffi.py: %s: %s\n" % (argv[1], e))
        return 1
    for e in model["errors"]:
        sys.stderr.write("gen_ffi.py: warning: left out of the bindings: %s\n" % e)
    os.makedirs(argv[2], exist_ok=True)
    # Write through a temporary name so a failed run leaves no half file.
    for name, data in (("navoi_ffi.h", cdef),
                       ("navoi_ffi_php.h", php_header(cdef)),
                       ("navoi_ffi.json", json.dumps(model, indent=1) + "\n")):
        path = os.path.join(argv[2], name)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

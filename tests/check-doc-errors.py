#!/usr/bin/env python3
"""Checks that the public headers document every error code (issue 6).

usage: check-doc-errors.py SRCDIR

Reads include/echonet/*.h and lib/*.c under SRCDIR and fails (exit 1, one
line per fault) when:

1. an ECHONET_ERR_* constant of error.h has no doc comment of its own;
2. an ECHONET_ERR_* constant is named by no public function's documentation
   (so no caller can learn where it comes from);
3. a public function returning echonet_err, int32_t or int has no @retval
   naming an ECHONET_ERR_* code (its documentation must list the codes);
4. a @retval or @ref in a function's documentation names an ECHONET_ERR_*
   that error.h does not define;
5. the function's definition in lib/ returns an ECHONET_ERR_* code, directly
   or through a static helper of the same file it returns the result of,
   that its documentation does not name;
6. a value of an enum in a public header has no doc comment (Doxygen 1.9
   does not warn about undocumented enum values).

Doxygen itself (doc/Doxyfile.in, the 'docs build without warnings' test)
checks that every declaration, parameter and return value is documented;
this script checks what Doxygen cannot: that the codes listed are the codes
returned.
"""
import glob
import os
import re
import sys

ERR = re.compile(r"\bECHONET_ERR_[A-Z0-9_]+\b")
# Codes a definition can return on a path its public caller rules out; each
# with the reason, so that the exception is reviewed like code.
UNREACHABLE = {
    ("echonet_node_set_local", "ECHONET_ERR_ACCESS"):
        "object_write() returns it for network writes and a NULL set accessor; "
        "echonet_node_set_local() writes locally and refuses a NULL accessor first",
}
DOC_DECL = re.compile(r"/\*\*(?P<doc>(?:(?!\*/).)*?)\*/\s*ECHONET_API\s+(?P<decl>[^;{]*?\()", re.S)


def error_constants(text):
    """ECHONET_ERR_* names of the enum, each with whether a doc comment precedes it."""
    enum = re.search(r"typedef enum echonet_err \{(.*?)\} echonet_err;", text, re.S)
    if not enum:
        raise SystemExit("check-doc-errors: no 'typedef enum echonet_err' in error.h")
    consts = {}
    body = enum.group(1)
    for m in re.finditer(r"(ECHONET_(?:ERR_[A-Z0-9_]+|OK))\s*=\s*-?\d+", body):
        before = body[:m.start()].rstrip()
        consts[m.group(1)] = before.endswith("*/") and "/**" in before[before.rfind("/*"):]
    return consts


def undocumented_enumerators(headers):
    """(header, name) of enum values without a /** */ before or /**< */ after them."""
    missing = []
    for path in headers:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for enum in re.finditer(r"\benum\s+\w*\s*\{(.*?)\}", text, re.S):
            body = enum.group(1)
            for m in re.finditer(r"^\s*([A-Z][A-Z0-9_]*)\s*(?:=[^,\n/]*)?,?[ \t]*(/\*\*<)?", body, re.M):
                before = body[:m.start()].rstrip()
                last = before[before.rfind("/*"):]
                doc_before = before.endswith("*/") and last.startswith("/**") and not last.startswith("/**<")
                if not doc_before and not m.group(2):
                    missing.append((os.path.basename(path), m.group(1)))
    return missing


def public_functions(headers):
    """name -> (return type, doc text, header) for every ECHONET_API function."""
    funcs = {}
    for path in headers:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in DOC_DECL.finditer(text):
            decl = " ".join(m.group("decl").split())
            name = re.search(r"(\w+)\s*\($", decl)
            if not name or "(*" in decl:
                continue
            ret = decl[:name.start()].strip()
            if ret.startswith("extern"):
                continue
            funcs[name.group(1)] = (ret, m.group("doc"), os.path.basename(path))
    return funcs


def definitions(sources):
    """name -> (body, file) of every function defined at file scope in lib/."""
    defs = {}
    for path in sources:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"^(?:static\s+)?[A-Za-z_][\w \*]*?\b(\w+)\(([^;{]*?)\)\s*\n\{\n(.*?)\n\}\n", text, re.S | re.M):
            defs[m.group(1)] = (m.group(3), path)
    return defs


def returned_codes(name, defs, seen=None):
    """ECHONET_ERR_* codes a function returns directly or through the result of
    a static helper of the same file."""
    seen = seen if seen is not None else set()
    if name in seen or name not in defs:
        return set()
    seen.add(name)
    body, path = defs[name]
    codes = set()
    for stmt in re.findall(r"\breturn\b([^;]*);", body):
        codes |= set(ERR.findall(stmt))
        call = re.match(r"\s*(\w+)\s*\(", stmt)
        if call and call.group(1) in defs and defs[call.group(1)][1] == path:
            codes |= returned_codes(call.group(1), defs, seen)
    # "err = ECHONET_ERR_X; ... return err;": codes stored in the returned variable.
    for var in set(re.findall(r"\breturn\s+(\w+)\s*;", body)):
        for stmt in re.findall(r"\b%s\s*=\s*([^;=][^;]*);" % re.escape(var), body):
            codes |= set(ERR.findall(stmt))
    return codes


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__.strip().splitlines()[2])
    top = argv[1]
    headers = sorted(glob.glob(os.path.join(top, "include", "echonet", "*.h")))
    sources = sorted(glob.glob(os.path.join(top, "lib", "*.c")))
    with open(os.path.join(top, "include", "echonet", "error.h"), encoding="utf-8") as f:
        consts = error_constants(f.read())
    funcs = public_functions(headers)
    defs = definitions(sources)
    faults = []
    if len(funcs) < 20:
        faults.append(f"only {len(funcs)} documented public functions found: the parser is broken")

    for header, name in undocumented_enumerators(headers):
        faults.append(f"{header}: enum value {name} has no doc comment")

    for c, documented in consts.items():
        if not documented:
            faults.append(f"error.h: {c} has no doc comment")

    mentioned = set()
    for name, (ret, doc, header) in sorted(funcs.items()):
        named = set(ERR.findall(re.sub(r'"[^"]*"', '""', doc)))
        mentioned |= named
        for c in sorted(named - set(consts)):
            faults.append(f"{header}: {name}() names {c}, which error.h does not define")
        if ret in ("echonet_err", "int32_t", "int"):
            retvals = re.findall(r"@retval\s+(\w+)", doc)
            if not any(r.startswith("ECHONET_ERR_") for r in retvals):
                faults.append(f"{header}: {name}() returns {ret} but has no @retval ECHONET_ERR_*")
        if name not in defs:
            faults.append(f"{header}: {name}() has no definition in lib/*.c")
            continue
        for c in sorted(returned_codes(name, defs) - named):
            if (name, c) in UNREACHABLE:
                continue
            faults.append(f"{header}: {name}() can return {c} ({os.path.basename(defs[name][1])}) "
                          f"but its documentation does not name it")

    for c in sorted(set(consts) - mentioned - {"ECHONET_OK"}):
        faults.append(f"error.h: {c} is named by no public function's documentation")

    for fault in faults:
        print(fault)
    print(f"check-doc-errors: {len(funcs)} public functions, {len(consts) - 1} error codes, "
          f"{len(faults)} fault(s)")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""Checks that the guides' programs keep to the public API: no field a
public header marks @private is read or written.

usage: check-guide-private.py INCLUDE_DIR FILE.c [FILE.c ...]

The private fields are those of `typedef struct NAME { ... } NAME;` blocks
whose comment starts with `@private` (or all fields of a struct whose brief
says "Fields are private"). A variable of such a type (declared `NAME var`,
`NAME *var`, `struct NAME var`) must not appear as `var.field` or
`var->field` for one of them. Prints one line per fault; exits 1 if any.
"""
import os
import re
import sys

STRUCT = re.compile(r"typedef struct (\w+) \{(.*?)\} (\w+);", re.S)
FIELD = re.compile(r"^\s*[^;/]*?(\w+)\s*(?:\[[^\]]*\])?\s*;\s*/\*\*<\s*(@private)?", re.M)


def private_fields(include_dir):
    """type name -> set of private field names."""
    found = {}
    for name in sorted(os.listdir(include_dir)):
        if not name.endswith(".h"):
            continue
        with open(os.path.join(include_dir, name), encoding="utf-8") as f:
            text = f.read()
        for m in STRUCT.finditer(text):
            before = text[max(0, m.start() - 200):m.start()]
            all_private = "Fields are private" in before.split("*/")[-2] if "*/" in before else False
            fields = {fm.group(1) for fm in FIELD.finditer(m.group(2)) if all_private or fm.group(2)}
            if fields:
                found[m.group(3)] = found.get(m.group(3), set()) | fields
    return found


def faults(path, private):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    text = "\n".join(lines)
    out = []
    for type_name, fields in private.items():
        decl = re.compile(r"\b(?:struct\s+)?%s\s+\**\s*(\w+)\s*[;=,\[)]" % re.escape(type_name))
        for var in sorted({m.group(1) for m in decl.finditer(text)}):
            use = re.compile(r"\b%s\s*(?:\.|->)\s*(%s)\b" % (re.escape(var), "|".join(map(re.escape, fields))))
            for n, line in enumerate(lines, 1):
                for m in use.finditer(line):
                    out.append("%s:%d: %s.%s is a private field of %s" % (path, n, var, m.group(1), type_name))
    return out


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    private = private_fields(sys.argv[1])
    if "echonet_object" not in private or "eoj" not in private["echonet_object"]:
        print("no private fields found in %s: the header parsing is broken" % sys.argv[1])
        return 1
    bad = [line for path in sys.argv[2:] for line in faults(path, private)]
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Keeps doc/spec-mapping.md from rotting.

usage: check-spec-mapping.py SRCDIR

Reads the clause tables of doc/spec-mapping.md and fails (one line per
fault) when:

- a file it cites (`lib/x.c`, `tests/x.py`, `include/echonet/x.h`...) does
  not exist;
- a function it cites as `name()` is not defined or used as `name(` in the
  files cited in the same cell (or, with none cited there, in lib/);
- a job or operation kind (`J_*`, `OP_*`, `JF_*`) is not in lib/ctl_internal.h;
- a Check test `suite/test` has no START_TEST(test) in tests/test_<suite>.c,
  or is not added to a test case there (tcase_add_test);
- a script case `tests/test_x.py "prefix"` has no @case("prefix...") there;
- a clause of chapters 2 to 5 of the AIF spec is missing from the tables,
  or a row has no code and no test without saying why (informative, not
  applicable, or a heading).
"""
import os
import re
import sys

CLAUSES = [
    "2", "2.1", "2.2", "2.3", "2.4", "2.4.1", "2.4.2", "2.4.3", "2.4.4", "2.4.5",
    "3", "3.1", "3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.2", "3.3", "3.3.1", "3.3.2",
    "3.4", "3.4.1", "3.5",
    "4", "4.1",
    "5", "5.1 ①", "5.1 ②", "5.1 ③", "5.1 ④", "5.1 ⑤", "5.1 ⑥", "5.1 ⑦", "5.1 ⑧",
    "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8",
]
FILE = re.compile(r"`((?:lib|include|tests|examples|fuzz|doc)/[\w./-]+\.\w+)`")
FUNC = re.compile(r"`(\w+)\(\)`")
KIND = re.compile(r"`((?:J|OP|JF|OW)_[A-Z_]+)`")
CHECK_TEST = re.compile(r"`([a-z_]+)/(\w+)`")
SCRIPT_CASE = re.compile(r"`(tests/\w+\.py) \"([^\"]+)\"`")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def rows(text):
    """(line number, cells) of every clause row of the tables."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.startswith("| ") or line.startswith("| Clause") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5:
            raise SystemExit(f"spec-mapping.md:{n}: {len(cells)} cells, expected 5")
        out.append((n, cells))
    return out


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__.strip().splitlines()[2])
    top = argv[1]
    doc = os.path.join(top, "doc", "spec-mapping.md")
    faults = []
    lib_sources = sorted(os.path.join("lib", f) for f in os.listdir(os.path.join(top, "lib")) if f.endswith(".c"))
    controller = read(os.path.join(top, "lib", "ctl_internal.h"))
    seen_clauses, n_tests, n_funcs = [], 0, 0
    for n, (clause, title, side, code, tests) in rows(read(doc)):
        where = f"spec-mapping.md:{n} ({clause})"
        seen_clauses.append(clause)
        if not title:
            faults.append(f"{where}: no title")
        explained = side in ("informative", "not applicable", "—")
        if not explained and (code in ("", "—") or tests in ("", "—")):
            faults.append(f"{where}: side '{side}' but no code or no test")
        cited = FILE.findall(code + " " + tests)
        for path in cited:
            if not os.path.isfile(os.path.join(top, path)):
                faults.append(f"{where}: no file {path}")
        code_files = [p for p in FILE.findall(code) if p.endswith((".c", ".h"))] or lib_sources
        code_text = "".join(read(os.path.join(top, p)) for p in code_files
                            if os.path.isfile(os.path.join(top, p)))
        for name in FUNC.findall(code):
            n_funcs += 1
            if not re.search(r"\b%s\(" % re.escape(name), code_text):
                faults.append(f"{where}: {name}() is not in {', '.join(code_files)}")
        for kind in KIND.findall(code):
            if not re.search(r"\b%s\b" % re.escape(kind), controller):
                faults.append(f"{where}: {kind} is not in lib/ctl_internal.h")
        for suite, test in CHECK_TEST.findall(tests):
            n_tests += 1
            path = os.path.join(top, "tests", f"test_{suite}.c")
            if not os.path.isfile(path):
                faults.append(f"{where}: no suite file tests/test_{suite}.c for {suite}/{test}")
                continue
            text = read(path)
            if f"START_TEST({test})" not in text:
                faults.append(f"{where}: no START_TEST({test}) in tests/test_{suite}.c")
            elif not re.search(r"tcase_add_(?:loop_)?test\(\w+,\s*%s[,)]" % re.escape(test), text):
                faults.append(f"{where}: {suite}/{test} is never added to a test case")
        for path, prefix in SCRIPT_CASE.findall(tests):
            n_tests += 1
            full = os.path.join(top, path)
            if os.path.isfile(full) and f'@case("{prefix}' not in read(full):
                faults.append(f'{where}: no @case("{prefix}...") in {path}')
    for clause in CLAUSES:
        if clause not in seen_clauses:
            faults.append(f"spec-mapping.md: clause {clause} of the AIF spec is missing")
    for clause in set(seen_clauses) - set(CLAUSES):
        faults.append(f"spec-mapping.md: clause {clause} is not one of chapters 2-5")
    for fault in faults:
        print(fault)
    print(f"check-spec-mapping: {len(seen_clauses)} clauses, {n_funcs} functions, {n_tests} tests cited, "
          f"{len(faults)} fault(s)")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

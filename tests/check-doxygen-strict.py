#!/usr/bin/env python3
"""Proves that the project's Doxygen settings reject incomplete documentation.

usage: check-doxygen-strict.py DOXYGEN BUILD/doc/Doxyfile

Runs Doxygen with the project's generated Doxyfile (through @INCLUDE, so
every warning setting is the project's own) on a scratch header with one
fault of each kind the API reference must never have, and fails unless
Doxygen fails and reports every one of them:

- an undocumented function, macro and struct member (EXTRACT_ALL = NO,
  WARN_IF_UNDOCUMENTED); Doxygen 1.9 does not report undocumented enum
  values, so check-doc-errors.py checks those;
- a function with an undocumented parameter and one without a return
  value's documentation (WARN_NO_PARAMDOC);
- a @param naming no parameter and a @ref to nothing (WARN_IF_DOC_ERROR);
- any of them failing the run (WARN_AS_ERROR = FAIL_ON_WARNINGS).

A control header with everything documented must pass with the same
settings, so the failure is the faults' and not the set-up's.
"""
import os
import subprocess
import sys
import tempfile

BAD = """\
/** @file bad.h @brief Faults Doxygen must report. */
/** @brief Fine. @param a a value. @return a value. */
int fine(int a);
int undocumented_function(int a);
#define UNDOCUMENTED_MACRO 1
/** @brief A struct. */
typedef struct holder { int undocumented_member; } holder;
/** @brief Missing a parameter. @return a value. */
int missing_param(int a, int b_undocumented);
/** @brief Missing the return value. @param a a value. */
int missing_return(int a);
/** @brief Wrong name. @param nosuchparam a value. @return a value. */
int wrong_param_name(int a);
/** @brief Broken reference to @ref nothing_called_this. @param a a value. @return a value. */
int broken_ref(int a);
"""

GOOD = """\
/** @file good.h @brief Everything documented. */
/** @brief Fine. @param a a value. @return a value. */
int fine(int a);
/** @brief A macro. */
#define DOCUMENTED_MACRO 1
/** @brief A struct. */
typedef struct holder {
    int member; /**< a member */
} holder;
"""

EXPECTED = [
    "undocumented_function",
    "UNDOCUMENTED_MACRO",
    "undocumented_member",
    "parameters of member missing_param are not documented",
    "return type of member missing_return is not documented",
    "nosuchparam",
    "nothing_called_this",
]


def run(doxygen, doxyfile, header_name, header_text, tmp):
    src = os.path.join(tmp, header_name + ".in")
    os.makedirs(src)
    with open(os.path.join(src, header_name), "w", encoding="utf-8") as f:
        f.write(header_text)
    cfg = os.path.join(tmp, header_name + ".Doxyfile")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(f"@INCLUDE = {doxyfile}\n")
        f.write(f"INPUT = {src}\n")
        f.write(f"OUTPUT_DIRECTORY = {os.path.join(tmp, header_name + '.out')}\n")
        f.write("USE_MDFILE_AS_MAINPAGE =\n")
        f.write("FILE_PATTERNS = *.h\n")
    p = subprocess.run([doxygen, cfg], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__.strip().splitlines()[2])
    doxygen, doxyfile = argv[1], os.path.abspath(argv[2])
    faults = []
    with tempfile.TemporaryDirectory() as tmp:
        rc, out = run(doxygen, doxyfile, "good.h", GOOD, tmp)
        if rc != 0:
            faults.append(f"a fully documented header fails (exit {rc}):\n{out}")
        rc, out = run(doxygen, doxyfile, "bad.h", BAD, tmp)
        if rc == 0:
            faults.append("Doxygen accepted a header with undocumented declarations (exit 0)")
        for what in EXPECTED:
            if what not in out:
                faults.append(f"Doxygen did not report: {what}")
        if faults:
            faults.append("Doxygen said:\n" + out)
    for fault in faults:
        print(fault)
    print(f"check-doxygen-strict: {len(EXPECTED)} kinds of fault, {len(faults)} problem(s)")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

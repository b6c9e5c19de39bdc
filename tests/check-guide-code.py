#!/usr/bin/env python3
"""Checks that the code shown in the doc/ guides is the code the tests build.

usage: check-guide-code.py [--update] GUIDE.md [GUIDE.md ...]

A guide shows parts of a C file of doc/examples/ with a marker line

    <!-- guide-code: examples/controller.c loop -->

followed by a fenced ```c block. The C file marks the part with the lines
`/* guide:loop */` and `/* end guide:loop */`. Fails (one line per fault)
when a block differs from the lines between the markers, a marker names a
missing file or part, a part of a file the guide shows is never shown, or a
guide shows no code at all. With --update, rewrites each block from its
file instead (after editing doc/examples/, then review the diff).
"""
import os
import re
import sys

MARK = re.compile(r"^<!-- guide-code: (\S+) (\S+) -->$")
BEGIN = re.compile(r"^\s*/\* guide:(\S+) \*/$")
END = re.compile(r"^\s*/\* end guide:(\S+) \*/$")


def parts(path):
    """name -> lines of every marked part of a C file."""
    found, current, lines = {}, None, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f.read().splitlines(), 1):
            b, e = BEGIN.match(line), END.match(line)
            if b:
                if current:
                    raise SystemExit(f"{path}:{n}: part '{b.group(1)}' opens inside '{current}'")
                current, lines = b.group(1), []
            elif e:
                if e.group(1) != current:
                    raise SystemExit(f"{path}:{n}: 'end guide:{e.group(1)}' does not close '{current}'")
                if current in found:
                    raise SystemExit(f"{path}:{n}: part '{current}' twice")
                found[current], current = lines, None
            elif current:
                lines.append(line)
    if current:
        raise SystemExit(f"{path}: part '{current}' is not closed")
    return found


def update(guide):
    """Rewrites every marked block of a guide from its C file."""
    base = os.path.dirname(os.path.abspath(guide))
    with open(guide, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, i = [], 0
    while i < len(lines):
        out.append(lines[i])
        m = MARK.match(lines[i].strip())
        i += 1
        if not m:
            continue
        while i < len(lines) and not lines[i].strip():
            out.append(lines[i])
            i += 1
        if i < len(lines) and lines[i].strip() == "```c":
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), None)
            found = parts(os.path.join(base, m.group(1)))
            if end is not None and m.group(2) in found:
                out += ["```c"] + found[m.group(2)] + ["```"]
                i = end + 1
    with open(guide, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


def check(guide):
    faults, shown, files = [], set(), {}
    base = os.path.dirname(os.path.abspath(guide))
    with open(guide, encoding="utf-8") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i].strip())
        i += 1
        if not m:
            continue
        rel, name = m.groups()
        where = f"{guide}:{i}"
        path = os.path.join(base, rel)
        if not os.path.isfile(path):
            faults.append(f"{where}: no file {rel}")
            continue
        if rel not in files:
            files[rel] = parts(path)
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i == len(lines) or lines[i].strip() != "```c":
            faults.append(f"{where}: the marker must be followed by a ```c block")
            continue
        start = i + 1
        end = next((j for j in range(start, len(lines)) if lines[j].strip() == "```"), None)
        if end is None:
            faults.append(f"{where}: the ```c block is not closed")
            break
        block, i = lines[start:end], end + 1
        if name not in files[rel]:
            faults.append(f"{where}: {rel} has no part '{name}'")
            continue
        shown.add((rel, name))
        if block != files[rel][name]:
            for k, (a, b) in enumerate(zip(block + [None] * len(files[rel][name]),
                                           files[rel][name] + [None] * len(block))):
                if a != b:
                    faults.append(f"{where}: block differs from {rel} part '{name}' at its line {k + 1}:\n"
                                  f"  guide: {a!r}\n  code:  {b!r}")
                    break
    if not files:
        faults.append(f"{guide}: shows no code (no '<!-- guide-code: FILE PART -->' marker)")
    for rel, found in files.items():
        for name in found:
            if (rel, name) not in shown:
                faults.append(f"{guide}: part '{name}' of {rel} is never shown")
    return faults, len(shown)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__.strip().splitlines()[2])
    if argv[1] == "--update":
        for guide in argv[2:]:
            update(guide)
        argv = argv[:1] + argv[2:]
    faults, blocks = [], 0
    for guide in argv[1:]:
        f, n = check(guide)
        faults += f
        blocks += n
    for fault in faults:
        print(fault)
    print(f"check-guide-code: {len(argv) - 1} guides, {blocks} code blocks, {len(faults)} fault(s)")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

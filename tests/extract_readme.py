#!/usr/bin/env python3
"""Extracts the README's API example so the build compiles and runs it.

usage: extract_readme.py README.md OUTPUT.c

Takes the first fenced ```c block after the line <!-- readme-example --> and
writes it to OUTPUT.c, with a #line directive so that compiler messages point
into README.md. Fails when the marker or the block is missing or unclosed.
"""
import sys

MARKER = "<!-- readme-example -->"


def extract(lines):
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == MARKER)
    except StopIteration:
        raise SystemExit(f"extract_readme: no line '{MARKER}' in README")
    i = start + 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines) or lines[i].strip() != "```c":
        raise SystemExit(f"extract_readme: the line after '{MARKER}' must open a ```c block")
    body_start = i + 1
    for j in range(body_start, len(lines)):
        if lines[j].strip() == "```":
            return body_start, lines[body_start:j]
    raise SystemExit("extract_readme: the ```c block after the marker is not closed")


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__.strip().splitlines()[2])
    readme, output = argv[1], argv[2]
    with open(readme, encoding="utf-8") as f:
        lines = f.read().splitlines()
    first, body = extract(lines)
    path = readme.replace("\\", "/").replace('"', '\\"')
    with open(output, "w", encoding="utf-8") as f:
        f.write(f"/* Generated from {readme} by tests/extract_readme.py; edit the README. */\n")
        f.write(f'#line {first + 1} "{path}"\n')
        f.write("\n".join(body) + "\n")


if __name__ == "__main__":
    main(sys.argv)

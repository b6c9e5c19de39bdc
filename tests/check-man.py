#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""Checks that the man page of an example program lists what its --help
lists: every option (--name, -h), every command (the first word of each
item under "Commands:") and, for each command, the options of its own
COMMAND --help; and that it carries the program's --version.

usage: check-man.py PROGRAM PAGE.1

Prints one line per thing missing; exits 1 if any.
"""
import importlib.util
import os
import re
import subprocess
import sys


def man_from_help():
    """doc/man-from-help.py as a module (its reading of "Commands:")."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "doc", "man-from-help.py")
    spec = importlib.util.spec_from_file_location("man_from_help", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def output(args):
    return subprocess.run(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=30,
                          check=True).stdout.decode("utf-8")


def options(text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-h)\b", text))


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[5], file=sys.stderr)
        return 2
    program, page = sys.argv[1], sys.argv[2]
    with open(page, encoding="utf-8") as f:
        # The page as words: roff's \- is a hyphen, \e a backslash, \(dq a quote.
        man = f.read().replace("\\-", "-").replace("\\e", "\\").replace("\\(dq", '"').replace("\\&", "")
    help_text = output([program, "--help"])
    wanted = {("option", o) for o in options(help_text)}
    commands = man_from_help().commands_of(help_text.splitlines())
    for command in commands:
        wanted.add(("command", command))
        wanted |= {("option of " + command, o) for o in options(output([program, command, "--help"]))}
    missing = []
    for kind, word in sorted(wanted):
        if kind == "command":
            found = re.search(r"^\.(?:B|SS) %s\b" % re.escape(word), man, re.M)
        else:
            found = re.search(r"(?<![\w-])%s\b" % re.escape(word), man)
        if not found:
            missing.append("%s: %s %s is not in the man page" % (page, kind, word))
    version = output([program, "--version"]).strip()
    if version not in man:
        missing.append("%s: the version %r is not in the man page" % (page, version))
    if not wanted or (not commands and "hems-controller" in program):
        missing.append("%s: nothing found in %s --help: the check is broken" % (page, program))
    for line in missing:
        print(line)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Worst stack depth of every public call of libechonet, from gcc's own data.

usage: stack-usage.py [--markdown FILE] [--budget BYTES]
                      --target NAME:OBJDIR[:EXTRADIR] ...

OBJDIR holds the library's objects compiled with -fstack-usage and
-fcallgraph-info=su (the .su and .ci files; tests/cross/*.ini and
tests/firmware.sh pass both flags). EXTRADIR, if given, holds .su files of
functions the library calls but does not define (the firmware images'
memcpy/memset/memcmp/memmove in tests/firmware/support.c).

How the depth is computed, per target:
  - Every function's own frame is its .su figure (a "dynamic" frame that gcc
    cannot bound fails the check; "dynamic,bounded" uses gcc's bound).
  - worst(f) = frame(f) + the largest worst() of anything f calls, over the
    call graph of the .ci files (static functions are told apart by file).
    Any cycle (recursion) among the library's functions fails the check.
  - Indirect calls: gcc records them only as "__indirect_call". Each call
    site is looked up in the source (e.g. `obj->ops->set(`, `d->check(`): the
    member's declared type gives the signature, and the call may reach every
    function of lib/ whose address is taken and whose signature matches
    (e.g. aircon_get and nodeprofile_get for `get`). Calls through members no
    function of lib/ matches (echonet_ctl_callbacks.event) reach only the
    application's code: the application adds its own callback's depth, and
    the table marks such functions. Likewise a node whose objects use the
    application's own echonet_object_ops adds the depth of those accessors.
  - Functions that are called but not defined in lib/ (memcpy...) count with
    their EXTRADIR frame, or 0. Calls the compiler creates after building its
    call graph (libgcc division helpers on Cortex-M0+, memcpy for a struct
    copy) are invisible to the graph, so every result gets a flat allowance
    of LEAF_ALLOWANCE bytes for one such leaf call.
Exit status: 0 within the budget on every cross target (native is reported,
not budgeted); 1 over budget, recursion or an unbounded frame; 2 bad input.
"""

import glob
import os
import re
import sys

BUDGET = 512
LEAF_ALLOWANCE = 32
NATIVE = ("x86-64", "native")

C_KEYWORDS = {"void", "char", "short", "int", "long", "unsigned", "signed", "float", "double",
              "const", "volatile", "struct", "enum", "union", "bool", "_Bool", "restrict"}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def norm_type(t):
    t = re.sub(r"\b(static|inline|extern|ECHONET_API|restrict)\b", " ", t)
    t = t.replace("*", " * ")
    return " ".join(t.split())


def norm_params(params):
    params = params.strip()
    if params in ("", "void"):
        return ()
    out = []
    for p in params.split(","):
        p = p.strip()
        arrays = re.findall(r"\[[^\]]*\]", p)
        p = re.sub(r"\[[^\]]*\]", "", p)
        toks = p.replace("*", " * ").split()
        if len(toks) >= 2 and re.match(r"^[A-Za-z_]\w*$", toks[-1]) and toks[-1] not in C_KEYWORDS:
            toks = toks[:-1]
        toks += ["*"] * len(arrays)
        out.append(" ".join(toks))
    return tuple(out)


class Source:
    """lib/ sources and headers: signatures, address-taken functions, members."""

    def __init__(self, root):
        self.root = root
        self.files = {}
        for pattern in ("lib/*.c", "lib/*.h", "include/echonet/*.h"):
            for path in glob.glob(os.path.join(root, pattern)):
                with open(path, encoding="utf-8") as f:
                    self.files[os.path.relpath(path, root)] = f.read()
        self.members = {}
        decl = re.compile(r"([A-Za-z_][\w\s\*]*?)\(\s*\*\s*(\w+)\s*\)\s*\(([^()]*)\)\s*;", re.S)
        for text in self.files.values():
            for m in decl.finditer(strip_comments(text)):
                ret = norm_type(m.group(1).split("\n")[-1].split(";")[-1].split("{")[-1])
                self.members.setdefault(m.group(2), set()).add((ret, norm_params(m.group(3))))

    def line(self, rel, lineno):
        text = self.files.get(os.path.normpath(rel))
        if text is None:
            return None
        lines = text.split("\n")
        return lines[lineno - 1] if 0 < lineno <= len(lines) else None

    def signature(self, rel, lineno, name):
        text = self.files.get(os.path.normpath(rel))
        if text is None:
            return None
        lines = text.split("\n")
        chunk = "\n".join(lines[lineno - 1:lineno + 10])
        m = re.search(r"^(.*?)\b" + re.escape(name) + r"\s*\(([^()]*)\)", chunk, re.S)
        if not m:
            return None
        return norm_type(m.group(1)), norm_params(m.group(2))

    def address_taken(self, names):
        taken = set()
        for rel, text in self.files.items():
            if not rel.endswith(".c"):
                continue
            code = strip_comments(text)
            for name in names:
                for m in re.finditer(r"\b" + re.escape(name) + r"\b(?!\s*\()", code):
                    taken.add(name)
                    break
        return taken

    def call_member(self, rel, lineno, col):
        line = self.line(rel, lineno)
        if line is None:
            return None
        m = re.match(r"\(?\s*\*?\s*[\w\->\.\[\]]*?(?:->|\.)(\w+)\s*\)?\s*\(", line[col - 1:])
        return m.group(1) if m else None


def load(objdir, extradir, source):
    """Call graph of one build: frames, edges, indirect sites."""
    frames = {}     # title -> (bytes, qualifier, display name, file)
    edges = {}      # title -> set(titles)
    indirect = {}   # title -> [(file, line, col)]
    cis = sorted(glob.glob(os.path.join(objdir, "*.ci")))
    if not cis:
        raise SystemExit(f"stack-usage: no .ci files in {objdir} (build with -fcallgraph-info=su)")
    builddir = os.path.normpath(os.path.join(objdir, "..", ".."))
    node_re = re.compile(r'^node: \{ title: "([^"]+)" label: "([^"]*)"')
    edge_re = re.compile(r'^edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"(?: label: "([^"]*)")?')
    for ci in cis:
        with open(ci, encoding="utf-8") as f:
            for line in f:
                m = node_re.match(line)
                if m:
                    title, label = m.group(1), m.group(2)
                    parts = label.split("\\n")
                    if len(parts) >= 3:
                        sm = re.match(r"^(\d+) bytes \(([^)]*)\)$", parts[2])
                        if sm:
                            loc = parts[1].rsplit(":", 2)
                            frames[title] = (int(sm.group(1)), sm.group(2), parts[0], loc[0], int(loc[1]))
                    continue
                m = edge_re.match(line)
                if m:
                    src, dst, site = m.group(1), m.group(2), m.group(3)
                    if dst == "__indirect_call":
                        f_, l_, c_ = site.rsplit(":", 2)
                        rel = os.path.relpath(os.path.normpath(os.path.join(builddir, f_)), source.root)
                        indirect.setdefault(src, []).append((rel, int(l_), int(c_)))
                    else:
                        edges.setdefault(src, set()).add(dst)
    extern = {}
    if extradir:
        for su in glob.glob(os.path.join(extradir, "*.su")):
            with open(su, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    if len(parts) == 3:
                        extern[parts[0].rsplit(":", 1)[-1]] = int(parts[1])
    return frames, edges, indirect, extern, builddir


def analyse(name, objdir, extradir, source):
    frames, edges, indirect, extern, builddir = load(objdir, extradir, source)
    errors = []
    for title, (size, qual, disp, _, _) in frames.items():
        if "dynamic" in qual and "bounded" not in qual:
            errors.append(f"{name}: {disp} has an unbounded dynamic frame ({qual})")

    # Resolve indirect call sites to lib functions of the member's signature.
    defined = {t: v for t, v in frames.items()}
    by_name = {}
    for title, v in defined.items():
        by_name.setdefault(v[2], []).append(title)
    taken = source.address_taken(set(by_name))
    sigs = {}
    for title, (_, _, disp, path, line) in defined.items():
        if disp in taken:
            rel = os.path.relpath(os.path.normpath(os.path.join(builddir, path)), source.root)
            sig = source.signature(rel, line, disp)
            if sig:
                sigs.setdefault(sig, set()).add(title)
    app_callbacks = {}
    resolved = {}
    for caller, sites in indirect.items():
        for rel, line, col in sites:
            member = source.call_member(rel, line, col)
            if member is None or member not in source.members:
                errors.append(f"{name}: cannot resolve the indirect call at {rel}:{line}:{col}")
                continue
            targets = set()
            for sig in source.members[member]:
                targets |= sigs.get(sig, set())
            resolved.setdefault(caller, set()).update(targets)
            if not targets:
                app_callbacks.setdefault(caller, set()).add(member)
            else:
                app_callbacks.setdefault(caller, set()).add(member + "*")
    for caller, targets in resolved.items():
        edges.setdefault(caller, set()).update(targets)

    # Depth with cycle detection.
    worst = {}
    path_of = {}
    state = {}
    cycles = []

    def visit(t, stack):
        if t in worst:
            return worst[t]
        if t not in frames:
            worst[t] = extern.get(t, 0)
            path_of[t] = [t + ("" if t in extern else " (external)")]
            return worst[t]
        if state.get(t) == "open":
            cyc = stack[stack.index(t):] + [t]
            cycles.append(" -> ".join(frames[x][2] if x in frames else x for x in cyc))
            return 0
        state[t] = "open"
        best, best_path = 0, []
        for callee in sorted(edges.get(t, ())):
            d = visit(callee, stack + [t])
            if d > best or not best_path:
                best, best_path = d, path_of.get(callee, [callee])
        state[t] = "done"
        worst[t] = frames[t][0] + best
        path_of[t] = [f"{frames[t][2]} {frames[t][0]}"] + best_path
        return worst[t]

    for t in frames:
        visit(t, [])
    for c in sorted(set(cycles)):
        errors.append(f"{name}: recursion in lib/: {c}")

    public = {}
    for title, (size, _, disp, _, _) in frames.items():
        if disp.startswith("echonet_") and ":" not in title:
            callbacks = set()
            # callbacks reached from anywhere below this function
            seen, todo = set(), [title]
            while todo:
                x = todo.pop()
                if x in seen:
                    continue
                seen.add(x)
                callbacks |= {m for m in app_callbacks.get(x, ()) if not m.endswith("*")}
                ops = {m for m in app_callbacks.get(x, ()) if m.endswith("*")}
                if ops:
                    callbacks |= ops
                todo.extend(edges.get(x, ()))
            public[disp] = (worst[title] + LEAF_ALLOWANCE, path_of[title], callbacks)
    return public, errors


def main(argv):
    markdown = None
    budget = BUDGET
    targets = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--markdown":
            markdown = args.pop(0)
        elif a == "--budget":
            budget = int(args.pop(0))
        elif a == "--target":
            parts = args.pop(0).split(":")
            targets.append((parts[0], parts[1], parts[2] if len(parts) > 2 and parts[2] else None))
        else:
            print(__doc__, file=sys.stderr)
            return 2
    if not targets:
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    source = Source(root)

    results = {}
    errors = []
    for name, objdir, extradir in targets:
        public, errs = analyse(name, objdir, extradir, source)
        results[name] = public
        errors += errs
        if name not in NATIVE:
            for fn, (depth, path, _) in public.items():
                if depth > budget:
                    errors.append(f"{name}: {fn} needs {depth} bytes of stack, budget {budget}: "
                                  + " -> ".join(path))

    names = [n for n, _, _ in targets]
    fns = sorted({f for r in results.values() for f in r})
    out = ["## Stack\n",
           f"Worst stack depth of each public function, in bytes, over the whole call graph "
           f"below it (gcc `-fstack-usage` frames, `-fcallgraph-info=su` edges; cross targets "
           f"at `-Os`, x86-64 at the native build's `-O2`), plus {LEAF_ALLOWANCE} bytes for "
           f"one compiler-runtime or `mem*` leaf the graph cannot show. Indirect calls count "
           f"the library's own targets of the same signature (the aircon and node-profile "
           f"accessors, the property check functions). ‡ marks functions whose indirect calls "
           f"can also reach the application's code, depending on what it passed in (its "
           f"`echonet_ctl_callbacks.event`, the `echonet_object_ops` accessors or property "
           f"check functions of its own objects): add the depth of those. "
           f"Budget: {budget} bytes on every cross target. No recursion, no dynamic frame.\n",
           "| function | " + " | ".join(names) + " |",
           "|---|" + "---:|" * len(names)]
    for fn in fns:
        cells = []
        mark = ""
        for n in names:
            r = results[n].get(fn)
            cells.append(str(r[0]) if r else "–")
            if r and r[2]:
                mark = " ‡"
        out.append(f"| `{fn}`{mark} | " + " | ".join(cells) + " |")
    worst_line = []
    for n in names:
        if results[n]:
            fn, (d, path, _) = max(results[n].items(), key=lambda kv: kv[1][0])
            worst_line.append(f"- {n}: worst `{fn}` {d} bytes: " + " → ".join(path))
    out.append("\nDeepest path per target (frame sizes in bytes):\n")
    out += worst_line
    text = "\n".join(out) + "\n"
    print(text)
    if markdown:
        with open(markdown, "w", encoding="utf-8") as f:
            f.write(text)
    for e in errors:
        print("stack-usage: FAIL: " + e, file=sys.stderr)
    if errors:
        return 1
    print(f"stack-usage: OK: every public call within {budget} bytes on the cross targets; "
          "no recursion; no unbounded frame")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

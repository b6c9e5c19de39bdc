#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""The routes hems-controller serves (--http-routes, from the route table
that dispatches requests) must be the paths and methods of doc/openapi.json,
no more and no fewer; and every $ref in the file must resolve.

check-openapi.py HEMS_CONTROLLER doc/openapi.json"""

import json
import subprocess
import sys

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def refs(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "$ref":
                out.append(v)
            else:
                refs(v, out)
    elif isinstance(value, list):
        for v in value:
            refs(v, out)


def main():
    program, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    failures = []
    if not str(doc.get("openapi", "")).startswith("3."):
        failures.append("not an OpenAPI 3 document")
    documented = {(m.upper(), p) for p, item in doc.get("paths", {}).items() for m in item if m in METHODS}
    proc = subprocess.run([program, "--http-routes"], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("%s --http-routes failed (%d): %s" % (program, proc.returncode, proc.stderr.strip()))
    served = set()
    for line in proc.stdout.splitlines():
        method, _, route = line.partition(" ")
        served.add((method, route))
    if not served:
        failures.append("the program lists no route")
    for m, p in sorted(served - documented):
        failures.append("served but not in %s: %s %s" % (path, m, p))
    for m, p in sorted(documented - served):
        failures.append("in %s but not served: %s %s" % (path, m, p))
    found = []
    refs(doc, found)
    for r in found:
        node = doc
        for part in r.lstrip("#/").split("/"):
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            failures.append("unresolved $ref " + r)
    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(1)
    print("ok: %d routes, all documented" % len(served))


if __name__ == "__main__":
    main()

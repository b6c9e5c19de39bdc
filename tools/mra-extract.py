#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""Writes the facts-only extract of the ECHONET Machine Readable Appendix
(MRA) that the tree carries: data/mra/mra-facts.json.

usage: tools/mra-extract.py MRA_JSON OUT_JSON

Kept: codes, short English names, sizes, types, ranges, enumerations,
access rules, release validity, the data definitions. Dropped: every
description sentence (descriptions, remark, note) and the Japanese names.
The MRA is MIT-licensed (data/mra/LICENSE.txt carries its notice)."""
import json
import sys

DROP = {"descriptions", "remark", "note"}


def facts(x):
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if k in DROP:
                continue
            if isinstance(v, dict) and set(v) <= {"ja", "en"} and "en" in v:
                out[k] = v["en"]  # names: the English one only
                continue
            out[k] = facts(v)
        return out
    if isinstance(x, list):
        return [facts(v) for v in x]
    return x


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mra-extract.py MRA_JSON OUT_JSON")
    with open(sys.argv[1], encoding="utf-8") as f:
        mra = json.load(f)
    out = facts(mra)
    out["metaData"] = {k: mra["metaData"][k] for k in ("date", "release", "dataVersion", "formatVersion", "Copyright")}
    out["metaData"]["license"] = "MIT (data/mra/LICENSE.txt)"
    out["metaData"]["extract"] = "facts only (no description sentences), written by tools/mra-extract.py"
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Assembles the program's IDL from the pieces `cargo test --features idl-build` prints.

This is the `idl-build` route of Anchor (what `anchor idl build` does internally), so the IDL is
generated from the program's own code without anchor-cli. Usage:

    scripts/idl.py build            # writes idl/data_pool.json
    scripts/idl.py check            # fails if idl/data_pool.json is stale
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "idl", "data_pool.json")


def pieces():
    cmd = ["cargo", "test", "-p", "data_pool", "--features", "idl-build", "--lib",
           "__anchor_private_print_idl", "--", "--show-output", "--quiet", "--test-threads=1"]
    # As `anchor idl build` does: account resolution on (each instruction account's `pda`,
    # `address` and `relations`, so clients derive accounts from the IDL alone), and the program's
    # path for the lints and external types anchor-syn reads from the source.
    env = dict(os.environ,
               ANCHOR_IDL_BUILD_RESOLUTION="TRUE",
               ANCHOR_IDL_BUILD_PROGRAM_PATH=os.path.join(ROOT, "programs", "data_pool"))
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        sys.exit("idl: the idl-build test run failed")
    for m in re.finditer(r"--- IDL begin (\w+) ---\n(.*?)\n--- IDL end \1 ---", out.stdout, re.S):
        yield m.group(1), json.loads(m.group(2))


def short(name):
    return name.rsplit("::", 1)[-1]


def rename(obj):
    """Replaces Rust paths (`data_pool::events::X`) by their last segment, as anchor-cli does."""
    if isinstance(obj, dict):
        return {k: (short(v) if k in ("name", "defined") and isinstance(v, str) else rename(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [rename(v) for v in obj]
    return obj


def assemble():
    idl, consts, events, types, errors, address = None, [], [], {}, [], None
    accounts = []
    for kind, value in pieces():
        if kind == "program":
            idl = value
        elif kind == "address":
            address = value
        elif kind == "const":
            consts.append(value)
        elif kind == "errors":
            errors = value
        elif kind == "account":
            accounts.append(value)
        elif kind == "event":
            events.append(value["event"])
            for t in value["types"]:
                types[t["name"]] = t
    if idl is None or address is None:
        sys.exit("idl: the program or address piece is missing")
    for t in idl.get("types", []):
        types[t["name"]] = t
    # Account types no instruction names as a typed field (read in place) are listed too.
    listed = {short(a["name"]) for a in idl.get("accounts", [])}
    for piece in accounts:
        name = short(piece["account"]["name"])
        if name not in listed:
            idl.setdefault("accounts", []).append(dict(piece["account"], name=name))
            listed.add(name)
        types.setdefault(piece["type"]["name"], piece["type"])
    idl["accounts"] = sorted(idl.get("accounts", []), key=lambda a: short(a["name"]))
    idl["address"] = address
    idl["constants"] = sorted(consts, key=lambda c: c["name"])
    idl["events"] = sorted(events, key=lambda e: short(e["name"]))
    idl["errors"] = errors
    idl["types"] = sorted(types.values(), key=lambda t: short(t["name"]))
    names = [short(t["name"]) for t in idl["types"]]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        sys.exit(f"idl: type names collide once shortened: {sorted(dupes)}")
    order = ["address", "metadata", "docs", "instructions", "accounts", "events", "errors",
             "types", "constants"]
    idl = {k: idl[k] for k in order if k in idl}
    return json.dumps(rename(idl), indent=2) + "\n"


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "build"
    text = assemble()
    if mode == "build":
        os.makedirs(os.path.dirname(OUT), exist_ok=True)
        with open(OUT, "w") as f:
            f.write(text)
        print(f"idl: wrote {os.path.relpath(OUT, ROOT)}")
    elif mode == "check":
        current = open(OUT).read() if os.path.exists(OUT) else ""
        if current != text:
            sys.exit("idl: idl/data_pool.json is stale: run scripts/idl.py build and commit it")
        print("idl: idl/data_pool.json is up to date")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

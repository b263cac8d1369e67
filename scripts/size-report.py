#!/usr/bin/env python3
"""Where the program's code is: LLVM instructions per function of the final module, grouped by
the program instruction they belong to (Anchor's account checks and the handler) or by library.

    DATAPOOL_SBF_LINK_EXTRA="--dump-module /tmp/dp-ir" DATAPOOL_SBF_OUT=/tmp/dp-size \
      DATAPOOL_SBF_TARGET=/tmp/dp-size-target ./scripts/build-sbf.sh
    touch programs/data_pool/src/lib.rs   # the dump holds the last program linked: relink ours
    DATAPOOL_SBF_LINK_EXTRA="--dump-module /tmp/dp-ir" DATAPOOL_SBF_OUT=/tmp/dp-size \
      DATAPOOL_SBF_TARGET=/tmp/dp-size-target ./scripts/build-sbf.sh
    python3 scripts/size-report.py /tmp/dp-ir/post-opt.ll
"""
import collections
import re
import sys

INSTRUCTION = re.compile(r"(?:instructions|___global)(\d+)([a-z_]+)")
STATE = re.compile(r"5state\d+[a-z_]+(\d+)([A-Z][A-Za-z]+)")
CRATE = re.compile(r"_R\w*?Cs\w+?_(\d+)([a-z_0-9]+)")


def group(symbol: str) -> str:
    for pattern, label in ((INSTRUCTION, "instruction"), (STATE, "account")):
        m = pattern.search(symbol)
        if m:
            return f"{label} {m.group(2)[: int(m.group(1))]}"
    m = CRATE.search(symbol)
    return f"crate {m.group(2)[: int(m.group(1))]}" if m else symbol[:40]


def main(path: str) -> None:
    sizes: dict[str, int] = collections.Counter()
    current, count = None, 0
    with open(path) as f:
        for line in f:
            if line.startswith("define "):
                m = re.search(r"@\"?([^\s(\"]+)", line)
                current, count = (m.group(1) if m else "?"), 0
            elif line.startswith("}") and current:
                sizes[group(current)] += count
                current = None
            elif current and line.startswith("  ") and not line.lstrip().startswith(";"):
                count += 1
    total = sum(sizes.values())
    print(f"{total} LLVM instructions in the final module")
    print("| group | instructions | share |\n|---|---|---|")
    for name, n in sorted(sizes.items(), key=lambda kv: -kv[1])[:40]:
        print(f"| {name} | {n} | {100 * n / total:.1f} % |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/dp-ir/post-opt.ll")

#!/usr/bin/env python3
"""Smoke check of a running local validator (run through scripts/localnet.sh): the node is
healthy, data_pool is deployed and executable, the faucet pays, and the program really runs —
a pool_pause on a pool that does not exist is simulated and must fail inside data_pool with
Anchor's AccountNotInitialized. Prints one line per check; exits non-zero on the first failure.
Standard library only."""
import base64
import hashlib
import json
import os
import sys
import time
import urllib.request

RPC = os.environ["DATAPOOL_RPC_URL"]
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58decode(s):
    n = 0
    for c in s:
        n = n * 58 + ALPHABET.index(c)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + raw


def b58encode(b):
    n = int.from_bytes(b, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = ALPHABET[r] + s
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + s


def rpc(method, *params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    req = urllib.request.Request(RPC, body.encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        out = json.load(r)
    if "error" in out:
        raise RuntimeError(f"{method}: {out['error']}")
    return out["result"]


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        sys.exit(1)


program_id = sys.argv[1]
check("getHealth", rpc("getHealth") == "ok")
info = rpc("getAccountInfo", program_id, {"encoding": "base64"})["value"]
check("program deployed and executable", bool(info and info["executable"]), program_id)

payer = hashlib.sha256(b"smoke-payer").digest()
authority = hashlib.sha256(b"smoke-authority").digest()
pool = hashlib.sha256(b"smoke-pool").digest()
payer58 = b58encode(payer)
sig = rpc("requestAirdrop", payer58, 1_000_000_000)
for _ in range(60):
    st = rpc("getSignatureStatuses", [sig])["value"][0]
    if st and st.get("confirmationStatus") in ("confirmed", "finalized"):
        break
    time.sleep(0.5)
check("faucet airdrop", rpc("getBalance", payer58, {"commitment": "confirmed"})["value"] >= 1_000_000_000)

# Legacy message: payer (signer, writable), authority (signer, readonly), pool (writable),
# program (readonly). pool_pause(authority, pool).
disc = hashlib.sha256(b"global:pool_pause").digest()[:8]
keys = [payer, authority, pool, b58decode(program_id)]
msg = bytes([2, 1, 1, len(keys)]) + b"".join(keys) + b"\0" * 32
msg += bytes([1, 3, 2, 1, 2, len(disc)]) + disc
tx = bytes([2]) + b"\0" * 128 + msg
sim = rpc("simulateTransaction", base64.b64encode(tx).decode(),
          {"encoding": "base64", "sigVerify": False, "replaceRecentBlockhash": True,
           "commitment": "confirmed"})["value"]
logs = sim.get("logs") or []
ran = any(l.startswith(f"Program {program_id} invoke") for l in logs)
named = any("AccountNotInitialized" in l for l in logs)
check("data_pool runs on the validator (SBPF v3)", ran and named, f"{sim.get('unitsConsumed')} CU")

#!/usr/bin/python3
"""Writes the seeds of tests/fuzz/webauthn_fuzz.cpp from vectors.json (layout: a mode byte,
then fields with 2-byte big-endian lengths; see the fuzz target)."""
import base64
import json
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "..", "fuzz", "corpus", "webauthn")


def b(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def seed(mode, *parts):
    return bytes([mode]) + b"".join(struct.pack(">H", len(p)) + p for p in parts)


v = json.load(open(os.path.join(here, "vectors.json")))
os.makedirs(out, exist_ok=True)
for name, r in v["registration"].items():
    open(os.path.join(out, "reg_" + name), "wb").write(seed(0, b(r["clientDataJSON"]), b(r["attestationObject"])))
    open(os.path.join(out, "cose_" + name), "wb").write(seed(2, b(r["publicKey"])))
for name, a in v["assertion"].items():
    open(os.path.join(out, "assert_" + name), "wb").write(
        seed(1, b(a["clientDataJSON"]), b(a["authenticatorData"]), b(a["signature"]), b(a["publicKey"])))
    open(os.path.join(out, "authdata_" + name), "wb").write(seed(3, b(a["authenticatorData"])))

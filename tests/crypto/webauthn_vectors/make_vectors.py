#!/usr/bin/python3
"""Makes the recorded WebAuthn vectors of tests/crypto/webauthn_test.cpp (vectors.json).

Run once with Debian's /usr/bin/python3 (python3-cryptography, python3-cbor2); the output is
committed, so running it again only changes keys and signatures, not what the tests check. It
acts as an authenticator and a browser: it builds clientDataJSON, authenticator data
(WebAuthn L2 §6.1), attestation objects (§6.5) in the formats none, packed (self and x5c,
§8.2) and fido-u2f (§8.6), and assertions (§6.3.3) signed with ES256, RS256 and EdDSA keys.
Binary values are base64url without padding.
"""
import base64
import datetime
import hashlib
import json
import os
import struct
import sys

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

RP_ID = "localhost"
ORIGIN = "https://localhost:8443"
UP, UV, AT = 0x01, 0x04, 0x40


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def client_data(type_: str, challenge: bytes, origin: str = ORIGIN) -> bytes:
    # Key order as browsers write it (§5.8.1.1); crossOrigin false.
    return json.dumps({"type": type_, "challenge": b64u(challenge), "origin": origin,
                       "crossOrigin": False}, separators=(",", ":")).encode()


def cose_key(priv):
    pub = priv.public_key()
    if isinstance(priv, ec.EllipticCurvePrivateKey):
        n = pub.public_numbers()
        return {1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"), -3: n.y.to_bytes(32, "big")}
    if isinstance(priv, rsa.RSAPrivateKey):
        n = pub.public_numbers()
        return {1: 3, 3: -257, -1: n.n.to_bytes((n.n.bit_length() + 7) // 8, "big"),
                -2: n.e.to_bytes(3, "big")}
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {1: 1, 3: -8, -1: 6, -2: raw}


def sign(priv, data: bytes) -> bytes:
    if isinstance(priv, ec.EllipticCurvePrivateKey):
        return priv.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(priv, rsa.RSAPrivateKey):
        return priv.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return priv.sign(data)


def auth_data(flags: int, count: int, aaguid=None, cred_id=None, cose=None, rp_id=RP_ID) -> bytes:
    out = hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", count)
    if aaguid is not None:
        out += aaguid + struct.pack(">H", len(cred_id)) + cred_id + cbor2.dumps(cose, canonical=True)
    return out


def attestation_cert(aaguid: bytes, key, ca_key=None, u2f=False):
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Atrium Test Authenticators"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Authenticator Attestation"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Atrium Test Key " + ("U2F" if u2f else "Packed")),
    ])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Atrium Test Attestation CA")])
    now = datetime.datetime(2026, 1, 1)
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer if ca_key else subject)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if not u2f:
        # id-fido-gen-ce-aaguid (§8.2.1): an OCTET STRING holding the AAGUID, not critical.
        b = b.add_extension(x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"),
                                                       b"\x04\x10" + aaguid), critical=False)
    return b.sign(ca_key or key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def registration(fmt: str, cred_key, challenge: bytes, type_="webauthn.create", flags=UP | AT, count=0):
    cred_id = os.urandom(32)
    aaguid = bytes(16) if fmt in ("none", "fido-u2f") else bytes.fromhex("a4e9fc6d4cbe4758b71d2a2e9c6b1f77")
    cose = cose_key(cred_key)
    ad = auth_data(flags, count, aaguid, cred_id, cose)
    cd = client_data(type_, challenge)
    cdh = hashlib.sha256(cd).digest()
    if fmt == "none":
        stmt = {}
    elif fmt == "packed-self":
        stmt = {"alg": cose[3], "sig": sign(cred_key, ad + cdh)}
    elif fmt == "packed-x5c":
        att_key = ec.generate_private_key(ec.SECP256R1())
        ca_key = ec.generate_private_key(ec.SECP256R1())
        stmt = {"alg": -7, "sig": sign(att_key, ad + cdh), "x5c": [attestation_cert(aaguid, att_key, ca_key)]}
    else:  # fido-u2f, §8.6 step 5
        att_key = ec.generate_private_key(ec.SECP256R1())
        pub = b"\x04" + cose[-2] + cose[-3]
        data = b"\x00" + hashlib.sha256(RP_ID.encode()).digest() + cdh + cred_id + pub
        stmt = {"sig": sign(att_key, data), "x5c": [attestation_cert(aaguid, att_key, u2f=True)]}
    obj = cbor2.dumps({"fmt": "packed" if fmt.startswith("packed") else fmt, "attStmt": stmt, "authData": ad},
                      canonical=True)
    return {"challenge": b64u(challenge), "clientDataJSON": b64u(cd), "attestationObject": b64u(obj),
            "credentialId": b64u(cred_id), "publicKey": b64u(cbor2.dumps(cose, canonical=True)), "alg": cose[3]}


def assertion(cred_key, challenge: bytes, count: int, flags=UP, type_="webauthn.get"):
    ad = auth_data(flags, count)
    cd = client_data(type_, challenge)
    return {"challenge": b64u(challenge), "clientDataJSON": b64u(cd), "authenticatorData": b64u(ad),
            "signature": b64u(sign(cred_key, ad + hashlib.sha256(cd).digest())),
            "publicKey": b64u(cbor2.dumps(cose_key(cred_key), canonical=True)), "signCount": count}


def main():
    es = ec.generate_private_key(ec.SECP256R1())
    rs = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ed = ed25519.Ed25519PrivateKey.generate()
    ch = os.urandom
    v = {
        "rpId": RP_ID,
        "origin": ORIGIN,
        "registration": {
            "none_es256": registration("none", es, ch(32)),
            "none_rs256": registration("none", rs, ch(32)),
            "none_eddsa": registration("none", ed, ch(32)),
            "packed_self_es256": registration("packed-self", es, ch(32)),
            "packed_self_rs256": registration("packed-self", rs, ch(32)),
            "packed_x5c": registration("packed-x5c", es, ch(32)),
            "fido_u2f": registration("fido-u2f", es, ch(32)),
            "wrong_type": registration("none", es, ch(32), type_="webauthn.get"),
            "no_up": registration("packed-self", es, ch(32), flags=AT),
        },
        "assertion": {
            "es256": assertion(es, ch(32), 5),
            "es256_uv": assertion(es, ch(32), 6, flags=UP | UV),
            "rs256": assertion(rs, ch(32), 7),
            "eddsa": assertion(ed, ch(32), 0),
            "es256_no_up": assertion(es, ch(32), 8, flags=0),
            "es256_wrong_type": assertion(es, ch(32), 9, type_="webauthn.create"),
        },
    }
    json.dump(v, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

"""What the SAML peer harnesses share: throwaway keys made with openssl, free ports, the
`ready` handshake between a peer process and its starter, reading SP metadata.

Interpreter: Debian's /usr/bin/python3 (standard library only).
"""
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = pathlib.Path(__file__).resolve().parent
PYTHON = "/usr/bin/python3"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
ACCESS_CONTROL = "https://aws.amazon.com/SAML/Attributes/AccessControl:"


def self_signed(workdir, name, cn, bits=2048, days=30):
    """(key file, certificate file): a new RSA key and a self-signed certificate."""
    key, cert = os.path.join(workdir, f"{name}.key"), os.path.join(workdir, f"{name}.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", f"rsa:{bits}", "-nodes", "-days", str(days),
                    "-subj", f"/CN={cn}", "-keyout", key, "-out", cert], check=True, capture_output=True)
    return key, cert


def pem_body(cert_file):
    """The base64 of a PEM certificate on one line (what metadata's ds:X509Certificate holds)."""
    with open(cert_file) as f:
        return "".join(l.strip() for l in f if "CERTIFICATE" not in l)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sp_values(metadata_xml):
    """entityID, the HTTP-POST ACS URL and the signing certificate (base64) of SP metadata."""
    root = ET.fromstring(metadata_xml.encode() if isinstance(metadata_xml, str) else metadata_xml)
    sp = root.find(f"{{{MD}}}SPSSODescriptor")
    acs = next(a.get("Location") for a in sp.findall(f"{{{MD}}}AssertionConsumerService") if a.get("Binding") == POST)
    cert = None
    for kd in sp.findall(f"{{{MD}}}KeyDescriptor"):
        if kd.get("use") in (None, "signing"):
            el = kd.find(f".//{{{DS}}}X509Certificate")
            if el is not None:
                cert = "".join(el.text.split())
                break
    return {"entity_id": root.get("entityID"), "acs_url": acs, "certificate": cert}


class PeerProcess:
    """A peer started as a script: `<script> --workdir DIR ...`; the script writes DIR/port and
    DIR/ready when it serves. stop() ends only this process (SIGTERM, then SIGKILL)."""

    def __init__(self, argv, workdir, label, env=None):
        self.argv, self.workdir, self.label, self.env = argv, pathlib.Path(workdir), label, env
        self.proc = None
        self.port = None

    def start(self, timeout=60):
        self.log = open(self.workdir / "peer.log", "ab")
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=self.log, env=self.env)
        deadline = time.time() + timeout
        while not (self.workdir / "ready").exists():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.label} exited:\n{self.output()}")
            if time.time() > deadline:
                raise AssertionError(f"{self.label} did not start in {timeout} s:\n{self.output()}")
            time.sleep(0.05)
        self.port = int((self.workdir / "port").read_text())
        return self

    def output(self):
        try:
            return (self.workdir / "peer.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None:
            self.log.close()
        self.proc = None


def write_users(workdir, users):
    """users: {login: {password, name_id, name_id_format?, attributes?}}; re-read by the peers on
    every sign-in, so a test may add a user while the peer runs."""
    path = pathlib.Path(workdir) / "users.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(users))
    os.replace(tmp, path)
    return path


def ready(workdir, port):
    (pathlib.Path(workdir) / "port").write_text(str(port))
    (pathlib.Path(workdir) / "ready").write_text("")
    sys.stdout.flush()

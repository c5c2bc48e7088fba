"""pysaml2 (Debian's python3-pysaml2) as a SAML IdP: the peer of bench/run_saml.py.

Interpreter: Debian's /usr/bin/python3. One HTTP server on loopback whose POST /launch does what
Atrium's IdP-initiated launch does: builds a Response for one user with the same NameID and
attributes, signs the Assertion and the Response (RSA-SHA256, its own RSA key of the given size)
and answers the base64 as JSON. pysaml2 signs by running Debian's xmlsec1 (its default crypto
backend); the process's CPU and its children's are both counted by the benchmark.

    pysaml2_idp_peer.py --port P --workdir DIR --key-bits 2048|3072 [--sign both|assertion]
"""
import argparse
import base64
import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from saml2 import BINDING_HTTP_POST
from saml2.config import IdPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

args = argparse.ArgumentParser()
args.add_argument("--port", type=int, required=True)
args.add_argument("--workdir", required=True)
args.add_argument("--key-bits", type=int, default=2048)
args.add_argument("--sign", choices=["both", "assertion"], default="both")
opts = args.parse_args()

d = opts.workdir
key, cert = os.path.join(d, "idp.key"), os.path.join(d, "idp.crt")
subprocess.run(["openssl", "req", "-x509", "-newkey", f"rsa:{opts.key_bits}", "-nodes", "-days", "30",
                "-subj", "/CN=pysaml2 IdP", "-keyout", key, "-out", cert], check=True, capture_output=True)
sp_entity, acs = "https://sp.bench.example/metadata", "https://sp.bench.example/acs"
with open(cert) as f:
    cert_b64 = "".join(l.strip() for l in f if "CERTIFICATE" not in l)
sp_md = os.path.join(d, "sp.xml")
with open(sp_md, "w") as f:
    f.write(f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{sp_entity}">'
            '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f'<md:AssertionConsumerService Binding="{BINDING_HTTP_POST}" Location="{acs}" index="0"/>'
            '</md:SPSSODescriptor></md:EntityDescriptor>')
base = f"http://127.0.0.1:{opts.port}"
conf = IdPConfig().load({
    "entityid": base + "/metadata",
    "key_file": key,
    "cert_file": cert,
    "xmlsec_binary": "/usr/bin/xmlsec1",
    "metadata": {"local": [sp_md]},
    "service": {"idp": {"endpoints": {"single_sign_on_service": [(base + "/sso", BINDING_HTTP_POST)]},
                        "policy": {"default": {"lifetime": {"minutes": 60}, "attribute_restrictions": None,
                                               "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}}}},
})
idp = Server(config=conf)
identity = {"email": ["bench-0@bench.example"], "displayName": ["bench 0"],
            "groups": ["0123456789-00000000-0000-4000-8000-000000000001"]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        resp = idp.create_authn_response(
            identity, in_response_to=None, destination=acs, sp_entity_id=sp_entity,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text="bench-0@bench.example"),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_response=opts.sign == "both", sign_assertion=True,
            sign_alg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            digest_alg="http://www.w3.org/2001/04/xmlenc#sha256")
        body = json.dumps({"post": {"acsUrl": acs, "samlResponse": base64.b64encode(str(resp).encode()).decode()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
open(os.path.join(d, "ready"), "w").close()
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)

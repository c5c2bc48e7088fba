"""A SAML 2.0 service provider made with pysaml2 (Debian's python3-pysaml2), started by the peer
tests on loopback: an independent implementation on the other end of Atrium's IdP.

Interpreter: Debian's /usr/bin/python3 (python3-pysaml2 7.0; xmlsec1 verifies the signatures).

    pysaml2_sp.py --port P --workdir DIR --idp-metadata FILE

Writes DIR/sp-metadata.xml (with the certificate it signs its AuthnRequests with) and DIR/ready,
then serves:
    GET  /login     SP-initiated sign-in: a signed AuthnRequest over HTTP-Redirect
    POST /acs       the assertion consumer service (solicited and unsolicited Responses)
    GET  /metadata  its metadata
The page after a sign-in shows "pysaml2 signed in: <NameID>", each attribute as "name=value"
and "InResponseTo: <id or none>"; a refused Response shows "pysaml2 refused: <reason>".
"""
import argparse
import html
import os
import ssl
import subprocess
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string

args = argparse.ArgumentParser()
args.add_argument("--port", type=int, required=True)
args.add_argument("--workdir", required=True)
args.add_argument("--idp-metadata", required=True)
opts = args.parse_args()

# https like the Apache peers: the portal posts the Response from an https page, and browsers
# warn before a form goes from https to http.
base = f"https://127.0.0.1:{opts.port}"
tls_key, tls_cert = os.path.join(opts.workdir, "tls.key"), os.path.join(opts.workdir, "tls.crt")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=127.0.0.1",
                "-keyout", tls_key, "-out", tls_cert], check=True, capture_output=True)
key, cert = os.path.join(opts.workdir, "sp.key"), os.path.join(opts.workdir, "sp.crt")
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=pysaml2 SP",
                "-keyout", key, "-out", cert], check=True, capture_output=True)
config = {
    "entityid": base + "/metadata",
    "key_file": key,
    "cert_file": cert,
    "xmlsec_binary": "/usr/bin/xmlsec1",
    "metadata": {"local": [opts.idp_metadata]},
    "service": {"sp": {
        "endpoints": {"assertion_consumer_service": [(base + "/acs", BINDING_HTTP_POST)]},
        "allow_unsolicited": True,
        "authn_requests_signed": True,
        "want_response_signed": False,
        "want_assertions_signed": True,
        "name_id_format_allow_create": False,
    }},
    "allow_unknown_attributes": True,
}
conf = SPConfig().load(config)
client = Saml2Client(config=conf)
idp_entity = next(iter(client.metadata.identity_providers()))
outstanding = {}

with open(os.path.join(opts.workdir, "sp-metadata.xml"), "w") as f:
    f.write(create_metadata_string(None, config=conf, valid=4).decode())


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def page(self, status, text):
        body = f"<!DOCTYPE html><html><body><pre id='result'>{html.escape(text)}</pre></body></html>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/login"):
            relay = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("relay", ["/after-login"])[0]
            reqid, info = client.prepare_for_authenticate(entityid=idp_entity, relay_state=relay,
                                                          binding=BINDING_HTTP_REDIRECT, sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
            outstanding[reqid] = relay
            self.send_response(303)
            for k, v in info["headers"]:
                self.send_header(k, v)
            self.end_headers()
            return
        if self.path == "/metadata":
            with open(os.path.join(opts.workdir, "sp-metadata.xml"), "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.end_headers()
            self.wfile.write(body)
            return
        self.page(404, "not found")

    def do_POST(self):
        if self.path != "/acs":
            return self.page(404, "not found")
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        try:
            resp = client.parse_authn_request_response(form["SAMLResponse"][0], BINDING_HTTP_POST, outstanding=outstanding)
            if resp is None:
                raise ValueError("no response")
        except Exception as e:  # the peer's own words, shown to the test
            return self.page(403, f"pysaml2 refused: {type(e).__name__}: {e}")
        lines = [f"pysaml2 signed in: {resp.name_id.text}", f"NameID format: {resp.name_id.format}",
                 f"InResponseTo: {resp.in_response_to or 'none'}", f"RelayState: {form.get('RelayState', [''])[0]}"]
        for name, values in sorted(resp.get_identity().items()):
            lines.append(f"{name}={','.join(values)}")
        self.page(200, "\n".join(lines))


server = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(tls_cert, tls_key)
server.socket = tls.wrap_socket(server.socket, server_side=True)
open(os.path.join(opts.workdir, "ready"), "w").close()
print(f"pysaml2 SP on {base}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)

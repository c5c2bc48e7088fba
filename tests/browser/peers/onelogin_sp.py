"""A SAML 2.0 service provider made with the OneLogin toolkit (Debian's python3-onelogin-saml2),
started by the peer tests on loopback.

Interpreter: Debian's /usr/bin/python3 (python3-onelogin-saml2 1.12 with python3-xmlsec).

    onelogin_sp.py --port P --workdir DIR --idp-metadata FILE

Writes DIR/sp-metadata.xml and DIR/ready, then serves GET /login (SP-initiated, HTTP-Redirect,
unsigned AuthnRequest), POST /acs (solicited and unsolicited Responses) and GET /metadata. The page
after a sign-in shows "onelogin signed in: <NameID>", the attributes as "name=value" and
"InResponseTo: ..."; a refused Response shows "onelogin refused: <errors>".
"""
import argparse
import html
import os
import subprocess
import ssl
import re
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings

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
with open(opts.idp_metadata) as f:
    idp = OneLogin_Saml2_IdPMetadataParser.parse(f.read())
settings = {
    "strict": True,
    "debug": False,
    "sp": {
        "entityId": base + "/metadata",
        "assertionConsumerService": {"url": base + "/acs", "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"},
        "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    },
    "security": {"wantAssertionsSigned": True, "wantMessagesSigned": False, "authnRequestsSigned": False,
                 "requestedAuthnContext": False, "rejectUnsolicitedResponsesWithInResponseTo": False},
}
settings["idp"] = idp["idp"]
outstanding = {}

with open(os.path.join(opts.workdir, "sp-metadata.xml"), "w") as f:
    f.write(OneLogin_Saml2_Settings(settings, sp_validation_only=True).get_sp_metadata())


def request_data(handler, post=None):
    parts = urllib.parse.urlsplit(handler.path)
    return {"https": "on", "http_host": f"127.0.0.1:{opts.port}", "server_port": str(opts.port),
            "script_name": parts.path, "get_data": dict(urllib.parse.parse_qsl(parts.query)), "post_data": post or {}}


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
            auth = OneLogin_Saml2_Auth(request_data(self), settings)
            url = auth.login(return_to="/onelogin-after-login")
            outstanding["last"] = auth.get_last_request_id()
            self.send_response(303)
            self.send_header("Location", url)
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
        form = dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))
        auth = OneLogin_Saml2_Auth(request_data(self, form), settings)
        # A solicited Response must answer the request this SP sent; an unsolicited one has no
        # InResponseTo (the toolkit checks both ways).
        auth.process_response(request_id=outstanding.pop("last", None))
        irt = re.search(r'<samlp:Response[^>]* InResponseTo="([^"]+)"', auth.get_last_response_xml() or "")
        if auth.get_errors() or not auth.is_authenticated():
            return self.page(403, f"onelogin refused: {auth.get_errors()} {auth.get_last_error_reason()}")
        lines = [f"onelogin signed in: {auth.get_nameid()}", f"NameID format: {auth.get_nameid_format()}",
                 f"InResponseTo: {irt.group(1) if irt else 'none'}",
                 f"RelayState: {form.get('RelayState', '')}"]
        for name, values in sorted(auth.get_attributes().items()):
            lines.append(f"{name}={','.join(values)}")
        self.page(200, "\n".join(lines))


server = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(tls_cert, tls_key)
server.socket = tls.wrap_socket(server.socket, server_side=True)
open(os.path.join(opts.workdir, "ready"), "w").close()
print(f"OneLogin SP on {base}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)

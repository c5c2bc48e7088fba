"""pysaml2 7.0.1 (Debian's python3-pysaml2) as a SAML 2.0 identity provider in front of Atrium:
a small WSGI app on 127.0.0.1 with a port the OS chooses, a throwaway RSA-2048 key (openssl) and
a login form checked against a users file.

Interpreter: Debian's /usr/bin/python3 (pysaml2 signs by running xmlsec1).

    pysaml2_idp.py --workdir DIR --sp-metadata FILE --users FILE [--sign both|response|assertion]

Writes DIR/idp-metadata.xml, DIR/idp.crt, DIR/port and DIR/ready, then serves (http):
    GET  /metadata        its metadata (entityID <base>/metadata, SSO HTTP-Redirect at /sso)
    GET  /sso?SAMLRequest=...&RelayState=...   an HTTP-Redirect AuthnRequest -> the login form
    GET  /start?RelayState=...                 IdP-initiated: the login form with no request
    POST /login           user + password -> an HTTP-POST Response (auto-submitting form) to the
                          SP's ACS; InResponseTo = the request's ID, none when IdP-initiated
The users file (common.write_users) is read again on every sign-in.
"""
import argparse
import base64
import html
import json
import os
import secrets
import signal
import sys
import urllib.parse
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import EMAIL, PYTHON, PeerProcess, ready, self_signed, sp_values, write_users  # noqa: E402

from saml2 import BINDING_HTTP_REDIRECT  # noqa: E402
from saml2.config import IdPConfig  # noqa: E402
from saml2.metadata import create_metadata_string  # noqa: E402
from saml2.saml import NameID  # noqa: E402
from saml2.server import Server  # noqa: E402

RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"


def build(opts, port):
    base = f"http://127.0.0.1:{port}"
    key, cert = self_signed(opts.workdir, "idp", "pysaml2 IdP")
    conf = IdPConfig().load({
        "entityid": base + "/metadata",
        "key_file": key,
        "cert_file": cert,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {"local": [opts.sp_metadata]},
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [(base + "/sso", BINDING_HTTP_REDIRECT)]},
            "name_id_format": [EMAIL],
            "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                   "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"}},
        }},
    })
    idp = Server(config=conf)
    with open(os.path.join(opts.workdir, "idp-metadata.xml"), "w") as f:
        f.write(create_metadata_string(None, config=conf, valid=4).decode())
    return idp


def page(start_response, status, body_html, title="pysaml2 IdP"):
    body = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><main>{body_html}</main></body></html>").encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]


def login_form(ticket, error=""):
    err = f"<p id='error' role='alert'>{html.escape(error)}</p>" if error else ""
    return (f"<h1>Sign in to the pysaml2 IdP</h1>{err}<form method='post' action='/login'>"
            f"<input type='hidden' name='ticket' value='{html.escape(ticket)}'>"
            "<label for='user'>User name</label><input id='user' name='user' autocomplete='username'>"
            "<label for='password'>Password</label><input id='password' name='password' type='password'>"
            "<button type='submit'>Sign in</button></form>")


def auto_post(acs, saml_response, relay_state):
    relay = (f"<input type='hidden' name='RelayState' value='{html.escape(relay_state)}'>"
             if relay_state else "")
    return (f"<h1>Signing you in</h1><form method='post' action='{html.escape(acs)}'>"
            f"<input type='hidden' name='SAMLResponse' value='{saml_response}'>{relay}"
            "<noscript><button type='submit'>Continue</button></noscript></form>"
            "<script>document.forms[0].submit()</script>")


class App:
    def __init__(self, opts, idp):
        self.opts, self.idp = opts, idp
        with open(opts.sp_metadata) as f:
            self.sp = sp_values(f.read())
        self.tickets = {}  # ticket -> (request id or None, relay state)

    def users(self):
        with open(self.opts.users) as f:
            return json.load(f)

    def __call__(self, environ, start_response):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        if method == "GET" and path == "/metadata":
            with open(os.path.join(self.opts.workdir, "idp-metadata.xml"), "rb") as f:
                body = f.read()
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [body]
        if method == "GET" and path == "/sso":
            try:
                req = self.idp.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
            except Exception as e:  # the peer's own words
                return page(start_response, "400 Bad Request", f"<p id='error'>bad AuthnRequest: {html.escape(str(e))}</p>")
            return self.form(start_response, req.message.id, query.get("RelayState", [""])[0])
        if method == "GET" and path == "/start":
            return self.form(start_response, None, query.get("RelayState", [""])[0])
        if method == "POST" and path == "/login":
            n = int(environ.get("CONTENT_LENGTH") or 0)
            form = urllib.parse.parse_qs(environ["wsgi.input"].read(n).decode())
            return self.login(start_response, {k: v[0] for k, v in form.items()})
        return page(start_response, "404 Not Found", "<p>not found</p>")

    def form(self, start_response, request_id, relay):
        ticket = secrets.token_urlsafe(16)
        self.tickets[ticket] = (request_id, relay)
        return page(start_response, "200 OK", login_form(ticket))

    def login(self, start_response, form):
        ticket = form.get("ticket", "")
        if ticket not in self.tickets:
            return page(start_response, "400 Bad Request", "<p id='error'>unknown sign-in</p>")
        user = self.users().get(form.get("user", ""))
        if user is None or not secrets.compare_digest(user["password"], form.get("password", "")):
            return page(start_response, "401 Unauthorized", login_form(ticket, "Wrong user name or password"))
        request_id, relay = self.tickets.pop(ticket)
        sign = self.opts.sign
        resp = self.idp.create_authn_response(
            user.get("attributes", {}), in_response_to=request_id, destination=self.sp["acs_url"],
            sp_entity_id=self.sp["entity_id"],
            name_id=NameID(format=user.get("name_id_format", EMAIL), text=user["name_id"]),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_response=sign in ("both", "response"), sign_assertion=sign in ("both", "assertion"),
            sign_alg=RSA_SHA256, digest_alg=SHA256)
        b64 = base64.b64encode(str(resp).encode()).decode()
        return page(start_response, "200 OK", auto_post(self.sp["acs_url"], b64, relay))


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *a):
        pass


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--workdir", required=True)
    args.add_argument("--sp-metadata", required=True)
    args.add_argument("--users", required=True)
    args.add_argument("--port", type=int, default=0)
    args.add_argument("--sign", choices=["both", "response", "assertion"], default="both")
    opts = args.parse_args()
    # Bind first (port 0: the OS picks), then configure with the real port in the entity ID.
    server = make_server("127.0.0.1", opts.port, lambda e, s: [], server_class=ThreadingServer,
                         handler_class=QuietHandler)
    port = server.server_address[1]
    server.set_app(App(opts, build(opts, port)))
    ready(opts.workdir, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def start(workdir, sp_metadata_xml, users, sign="both"):
    """Starts the script in workdir (a directory the caller owns); returns a common.PeerProcess
    with .port, .base, .metadata (the IdP's metadata XML) and .certificate (PEM file)."""
    sp_file = os.path.join(workdir, "sp-metadata.xml")
    with open(sp_file, "w") as f:
        f.write(sp_metadata_xml)
    users_file = write_users(workdir, users)
    peer = PeerProcess([PYTHON, os.path.abspath(__file__), "--workdir", str(workdir), "--sp-metadata", sp_file,
                        "--users", str(users_file), "--sign", sign], workdir, "pysaml2 IdP").start()
    peer.base = f"http://127.0.0.1:{peer.port}"
    with open(os.path.join(workdir, "idp-metadata.xml")) as f:
        peer.metadata = f.read()
    peer.certificate = os.path.join(workdir, "idp.crt")
    peer.set_users = lambda u: write_users(workdir, u)
    return peer


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    main()

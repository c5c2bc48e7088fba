"""What the Python service providers of the peer tests share (pysaml2_sp.py, onelogin_sp.py):
their command line, a self-signed certificate made with openssl, the page they show, and an
HTTPS server on loopback that writes DIR/ready once it listens.

Interpreter: Debian's /usr/bin/python3 (standard library only).
"""
import argparse
import html
import os
import ssl
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def options():
    args = argparse.ArgumentParser()
    args.add_argument("--port", type=int, required=True)
    args.add_argument("--workdir", required=True)
    args.add_argument("--idp-metadata", required=True)
    return args.parse_args()


def self_signed(workdir, name, cn, bits=2048):
    """(key file, certificate file) of a new RSA key and a self-signed certificate, 30 days."""
    key, cert = os.path.join(workdir, f"{name}.key"), os.path.join(workdir, f"{name}.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", f"rsa:{bits}", "-nodes", "-days", "30", "-subj", f"/CN={cn}",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return key, cert


class PageHandler(BaseHTTPRequestHandler):
    """The SP's answers: a page with one <pre id=result>, and its metadata file."""
    metadata_file = ""

    def log_message(self, *a):
        pass

    def page(self, status, text):
        body = f"<!DOCTYPE html><html><body><pre id='result'>{html.escape(text)}</pre></body></html>".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def signed_in(self, label, name_id, name_id_format, in_response_to, relay_state, attributes):
        """The page after a sign-in: what the tests read (the same lines for every peer)."""
        lines = [f"{label} signed in: {name_id}", f"NameID format: {name_id_format}",
                 f"InResponseTo: {in_response_to or 'none'}", f"RelayState: {relay_state}"]
        lines += [f"{name}={','.join(values)}" for name, values in sorted(attributes.items())]
        self.page(200, "\n".join(lines))

    def redirect(self, location, headers=()):
        self.send_response(303)
        self.send_header("Location", location)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()

    def metadata(self):
        with open(self.metadata_file, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/samlmetadata+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def form(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n).decode()


def serve(handler, port, workdir, label):
    """HTTPS on 127.0.0.1:port (like the Apache peers: the portal posts from an https page, and
    browsers warn before a form goes from https to http)."""
    key, cert = self_signed(workdir, "tls", "127.0.0.1")
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    open(os.path.join(workdir, "ready"), "w").close()
    print(f"{label} on https://127.0.0.1:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)

"""SimpleSAMLphp 1.19 (Debian's simplesamlphp package) as a SAML 2.0 identity provider in front of
Atrium: an implementation no one here wrote, served by PHP's built-in server
(`php -S 127.0.0.1:<port>` from /usr/share/simplesamlphp/www) with its whole configuration in a
temporary directory (SIMPLESAMLPHP_CONFIG_DIR): config.php (Debian's, with the paths, base URL,
secrets and modules of this run), authsources.php (exampleauth:UserPass from a users file),
metadata/saml20-idp-hosted.php (a throwaway RSA-2048 key, RSA-SHA256) and
metadata/saml20-sp-remote.php made from Atrium's SP metadata.

Interpreter: Debian's /usr/bin/python3; needs /usr/bin/php (php-cli) and simplesamlphp.

    simplesamlphp_idp.py --workdir DIR --sp-metadata FILE --users FILE [--validate-authnrequest]

Writes DIR/port and DIR/ready once the IdP's metadata is served. URLs (http):
    <base>/saml2/idp/metadata.php        its metadata
    <base>/saml2/idp/SSOService.php      HTTP-Redirect SSO (SP-initiated)
    <base>/saml2/idp/SSOService.php?spentityid=<SP entity ID>&RelayState=...   IdP-initiated
The login form is SimpleSAMLphp's own (fields "username", "password"). users: common.write_users;
unlike pysaml2_idp.py, authsources.php is written once at start (restart to change users).
"""
import argparse
import json
import os
import pathlib
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import EMAIL, free_port, ready, self_signed, sp_values  # noqa: E402

PHP = "/usr/bin/php"
WWW = "/usr/share/simplesamlphp/www"
DEBIAN_CONFIG = "/etc/simplesamlphp/config.php"


def skip_reason():
    """Why this peer cannot run here (None when it can)."""
    for path, pkg in ((PHP, "php-cli"), (WWW, "simplesamlphp"), (DEBIAN_CONFIG, "simplesamlphp")):
        if not os.path.exists(path):
            return f"{path} is absent: apt-get install {pkg} (scripts/install-deps installs it)"
    return None


def php(value):
    """A PHP literal of a JSON-able value (json_decode keeps this free of quoting bugs)."""
    return f"json_decode({json.dumps(json.dumps(value))}, true)"


def write_config(d, port, sp, users, validate_authnrequest):
    base = f"http://127.0.0.1:{port}/"
    for sub in ("metadata", "log", "data", "tmp", "sessions"):
        (d / sub).mkdir(exist_ok=True)
    self_signed(str(d), "idp", "SimpleSAMLphp IdP")
    overrides = {
        "baseurlpath": base, "certdir": f"{d}/", "loggingdir": f"{d}/log/", "datadir": f"{d}/data/",
        "tempdir": f"{d}/tmp", "metadatadir": f"{d}/metadata/",
        "metadata.sources": [{"type": "flatfile", "directory": f"{d}/metadata"}],
        "secretsalt": secrets.token_hex(16), "auth.adminpassword": secrets.token_hex(16),
        "enable.saml20-idp": True, "logging.handler": "file", "logging.logfile": "simplesamlphp.log",
        "logging.level": 7,  # DEBUG: the peer's own account of a refusal lands in DIR/log
        "module.enable": {"exampleauth": True, "core": True, "saml": True, "admin": False},
        # http on loopback: Debian's default SameSite=None would need Secure, and chromium drops
        # such a cookie ("Missing cookie" page); Lax still rides the top-level GET from the SP.
        "session.cookie.secure": False, "session.cookie.samesite": "Lax", "language.cookie.samesite": "Lax", "store.type": "phpsession", "session.phpsession.savepath": f"{d}/sessions",
        "language.default": "en", "showerrors": True,
    }
    (d / "config.php").write_text(
        "<?php\n// Debian's configuration with this run's paths, secrets and modules (tests/integration/saml_peers).\n"
        f"require '{DEBIAN_CONFIG}';\n"
        f"$config = array_replace($config, {php(overrides)});\n")
    # exampleauth:UserPass: 'user:password' => attributes. The NameID comes from the `email`
    # attribute (simplesaml.nameidattribute below); other attributes go as they are named.
    userpass = {}
    for login, u in users.items():
        attrs = {k: list(v) for k, v in u.get("attributes", {}).items()}
        attrs["email"] = [u["name_id"]]
        userpass[f"{login}:{u['password']}"] = attrs
    (d / "authsources.php").write_text(
        "<?php\n$config = [\n  'admin' => ['core:AdminPassword'],\n"
        f"  'example-userpass' => array_merge(['exampleauth:UserPass'], {php(userpass)}),\n];\n")
    (d / "metadata" / "saml20-idp-hosted.php").write_text(
        "<?php\n$metadata['__DYNAMIC:1__'] = " + php({
            "host": "__DEFAULT__", "privatekey": "idp.key", "certificate": "idp.crt", "auth": "example-userpass",
            "signature.algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "NameIDFormat": EMAIL, "simplesaml.nameidattribute": "email",
        }) + ";\n")
    (d / "metadata" / "saml20-sp-remote.php").write_text(
        "<?php\n$metadata[" + json.dumps(sp["entity_id"]) + "] = " + php({
            "AssertionConsumerService": [{"Binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                                          "Location": sp["acs_url"], "index": 0}],
            "NameIDFormat": EMAIL, "simplesaml.nameidattribute": "email",
            "attributes.NameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
            "saml20.sign.response": True, "saml20.sign.assertion": True,
            "signature.algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "validate.authnrequest": validate_authnrequest,
            **({"certData": sp["certificate"]} if sp["certificate"] else {}),
        }) + ";\n")
    return base


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--workdir", required=True)
    args.add_argument("--sp-metadata", required=True)
    args.add_argument("--users", required=True)
    args.add_argument("--validate-authnrequest", action="store_true")
    opts = args.parse_args()
    d = pathlib.Path(opts.workdir).resolve()
    sp = sp_values(pathlib.Path(opts.sp_metadata).read_text())
    users = json.loads(pathlib.Path(opts.users).read_text())
    port = free_port()
    base = write_config(d, port, sp, users, opts.validate_authnrequest)
    env = {**os.environ, "SIMPLESAMLPHP_CONFIG_DIR": str(d)}
    proc = subprocess.Popen([PHP, "-S", f"127.0.0.1:{port}", "-t", WWW], env=env,
                            stdout=open(d / "php.log", "ab"), stderr=subprocess.STDOUT)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        serve(d, base, port, proc)
    finally:
        proc.terminate()
        proc.wait()


def serve(d, base, port, proc):
    deadline = time.time() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "saml2/idp/metadata.php", timeout=5) as r:
                body = r.read()
            # SimpleSAMLphp answers its errors with a 200 page: only real metadata counts.
            if b"EntityDescriptor" not in body:
                sys.exit(f"SimpleSAMLphp's metadata is an error page (see {d}/log): {body[-1500:]!r}")
            (d / "idp-metadata.xml").write_bytes(body)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                sys.exit(f"SimpleSAMLphp did not serve its metadata: {(d / 'php.log').read_text()[-2000:]}")
            time.sleep(0.1)
    ready(str(d), port)
    proc.wait()


def start(workdir, sp_metadata_xml, users, validate_authnrequest=False):
    """Starts SimpleSAMLphp for the SP; returns a common.PeerProcess with .port, .base,
    .metadata (its IdP metadata XML), .sso_url and .idp_initiated(relay)."""
    from common import PYTHON, PeerProcess, write_users
    sp_file = os.path.join(workdir, "sp-metadata.xml")
    with open(sp_file, "w") as f:
        f.write(sp_metadata_xml)
    users_file = write_users(workdir, users)
    argv = [PYTHON, os.path.abspath(__file__), "--workdir", str(workdir), "--sp-metadata", sp_file,
            "--users", str(users_file)] + (["--validate-authnrequest"] if validate_authnrequest else [])
    peer = PeerProcess(argv, workdir, "SimpleSAMLphp IdP").start()
    peer.base = f"http://127.0.0.1:{peer.port}"
    peer.metadata = pathlib.Path(workdir, "idp-metadata.xml").read_text()
    sp = sp_values(sp_metadata_xml)
    peer.idp_initiated = lambda relay="": (f"{peer.base}/saml2/idp/SSOService.php?"
                                           + urllib.parse.urlencode({"spentityid": sp["entity_id"], "RelayState": relay}))
    return peer


if __name__ == "__main__":
    main()

"""LemonLDAP::NG 2.16 (Debian's lemonldap-ng, its SAML issuer through Lasso's Perl binding) as a
SAML 2.0 identity provider in front of Atrium: the portal's PSGI app under `plackup` on
127.0.0.1, with its configuration (a File store: lmConf-1.json from Debian's demo configuration)
and its caches and sessions in a temporary directory. Its users are the Demo backend's (dwho,
rtyler, msmith; password = login; mail <login>@badwolf.org, which is the emailAddress NameID).

Interpreter: Debian's /usr/bin/python3; needs lemonldap-ng, liblasso-perl, plackup (libplack-perl)
and the Perl modules the portal loads (scripts/install-deps lists them).

    lemonldap_idp.py --workdir DIR --sp-metadata FILE [--users FILE (ignored: Demo users)]

LemonLDAP::NG sets its cookie for a domain (Domain=localhost here), so the portal is
http://localhost:<port>/ (Atrium takes an http SSO URL on loopback only). Writes DIR/port, DIR/idp-metadata.xml and DIR/ready. URLs:
    /saml/metadata                                        its metadata (WantAuthnRequestsSigned)
    /saml/singleSignOn                                    SSO (HTTP-Redirect)
    /saml/singleSignOn?IDPInitiated=1&spConfKey=atrium    IdP-initiated
"""
import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import free_port, ready, self_signed  # noqa: E402

PLACKUP = "/usr/bin/plackup"
DEMO_CONF = "/var/lib/lemonldap-ng/conf/lmConf-1.json"
HOST = "localhost"
USERS = {"dwho": "dwho@badwolf.org", "rtyler": "rtyler@badwolf.org", "msmith": "msmith@badwolf.org"}


def skip_reason():
    for path, pkg in ((PLACKUP, "libplack-perl"), (DEMO_CONF, "lemonldap-ng"),
                      ("/usr/lib/x86_64-linux-gnu/perl5/5.36/Lasso.pm", "liblasso-perl")):
        if not os.path.exists(path):
            return f"{path} is absent: apt-get install {pkg} (scripts/install-deps installs it)"
    return None


def write_config(d, port, sp_metadata):
    for sub in ("conf", "cache", "sessions", "psessions"):
        (d / sub).mkdir(exist_ok=True)
    key, cert = self_signed(str(d), "idp", "LemonLDAP::NG IdP")
    c = json.loads(pathlib.Path(DEMO_CONF).read_text())
    c.update({
        "cfgNum": 1, "domain": "localhost", "portal": f"http://{HOST}:{port}/",
        "globalStorageOptions": {"Directory": f"{d}/sessions", "LockDirectory": f"{d}/sessions"},
        "persistentStorageOptions": {"Directory": f"{d}/psessions", "LockDirectory": f"{d}/psessions"},
        "issuerDBSAMLActivation": 1, "samlEntityID": "#PORTAL#/saml/metadata",
        "samlServicePrivateKeySig": pathlib.Path(key).read_text(), "samlServicePublicKeySig": pathlib.Path(cert).read_text(),
        "samlSPMetaDataXML": {"atrium": {"samlSPMetaDataXML": sp_metadata}},
        "samlSPMetaDataOptions": {"atrium": {
            "samlSPMetaDataOptionsNameIDFormat": "email", "samlSPMetaDataOptionsSignSSOMessage": 1,
            "samlSPMetaDataOptionsCheckSSOMessageSignature": 1, "samlSPMetaDataOptionsEnableIDPInitiatedURL": 1}},
        "samlSPMetaDataExportedAttributes": {"atrium": {}},
    })
    (d / "conf" / "lmConf-1.json").write_text(json.dumps(c))
    # The portal app plus the static files Debian's Apache/nginx configuration aliases (/static,
    # /javascript): the portal's script sets the login form's target, without it the browser
    # posts back to the SSO URL with the AuthnRequest's query (Lasso: "Invalid message").
    (d / "portal.psgi").write_text(
        "use Lemonldap::NG::Portal::Main;\nuse Plack::Builder;\nuse Plack::App::File;\n"
        "my $portal = Lemonldap::NG::Portal::Main->run({ configStorage => { type => 'File', "
        f"dirName => '{d}/conf', localStorage => 'Cache::FileCache', "
        f"localStorageOptions => {{ cache_root => '{d}/cache', namespace => 'llng' }} }} }});\n"
        "builder {\n"
        "  mount '/static' => Plack::App::File->new(root => '/usr/share/lemonldap-ng/portal/htdocs/static')->to_app;\n"
        "  mount '/javascript' => Plack::App::File->new(root => '/usr/share/javascript')->to_app;\n"
        "  mount '/' => $portal;\n};\n")


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--workdir", required=True)
    args.add_argument("--sp-metadata", required=True)
    args.add_argument("--users")
    opts = args.parse_args()
    d = pathlib.Path(opts.workdir).resolve()
    port = free_port()
    write_config(d, port, pathlib.Path(opts.sp_metadata).read_text())
    proc = subprocess.Popen([PLACKUP, "-p", str(port), "--host", "127.0.0.1", str(d / "portal.psgi")],
                            stdout=open(d / "plack.log", "ab"), stderr=subprocess.STDOUT)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        deadline = time.time() + 60
        while True:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/saml/metadata", headers={"Host": f"{HOST}:{port}"})
                with urllib.request.urlopen(req, timeout=10) as r:
                    body = r.read()
                (d / "idp-metadata.xml").write_bytes(body)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    sys.exit(f"LemonLDAP::NG did not serve its metadata: {(d / 'plack.log').read_text(errors='replace')[-3000:]}")
                time.sleep(0.2)
        ready(str(d), port)
        proc.wait()
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()

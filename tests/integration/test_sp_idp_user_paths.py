"""After a sign-in through an external IdP, the portal's other paths work for that user (issue 17
item 3: "accounts, applications, console federation and CLI device approval all work for an IdP
user"; accounts and console federation are checked in test_sp_signin_pysaml2.py and
test_console_federation_moto.py). Atrium's MFA is always on, and the IdP user is never asked for
it (item 6: MFA is the IdP's business).

Interpreter: Debian's /usr/bin/python3 with python3-pysaml2 (7.0.1, whose IdP signs with Debian's
xmlsec1), python3-requests and python3-boto3 (sso-oidc, sso, sso-admin and identitystore clients);
`openssl` makes the keys, `xmlsec1` checks the application's Response. No browser: the IdP is
saml_peers/pysaml2_idp.py (its own process, a login form), the browser is a requests session that
follows Atrium's redirect to the IdP, fills in the IdP's form and posts the IdP's Response to
Atrium's ACS as the auto-submitting form would.

- CLI device approval: boto3 `sso-oidc` RegisterClient and StartDeviceAuthorization, the IdP user
  approves the user code through the portal API the device page uses (/portal/api/device/lookup,
  /portal/api/device/decide), CreateToken gives a token, `sso` ListAccounts with it lists the
  account assigned to the user (sso-admin), ListAccountRoles the permission set.
- Applications: a custom SAML 2.0 application (`atrium admin app`), assigned to the user, is a
  tile of the portal; the portal's launch route (POST /portal/saml/launch/<id>, the form the tile
  submits) answers with the page that posts a SAML Response to the application's ACS, signed by
  the application's certificate (xmlsec1), whose NameID is the user and Destination the ACS.
"""
import base64
import html.parser
import json
import pathlib
import tempfile
import time
import xml.etree.ElementTree as ET

import boto3
import botocore
import botocore.config
import pytest

from conftest import REGION, make_server, new_user
from saml_peers import atrium_sp
from saml_peers.common import free_port
from test_applications_boto3 import app_cli, xmlsec1_verifies
from test_cli_access import ACCOUNT, ROLE, assign

pytest.importorskip("saml2", reason="needs python3-pysaml2 (apt-get install python3-pysaml2; scripts/install-deps)")
from saml_peers import pysaml2_idp  # noqa: E402  (imports saml2)

USER = "carol@example.test"
LOGIN = "carol"
PASSWORD = "idp-Passw0rd!"
APP_ENTITY = "https://wiki.paths.test"
APP_ACS = "https://wiki.paths.test/saml/acs"
SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"


class World:
    pass


@pytest.fixture(scope="module")
def world():
    with tempfile.TemporaryDirectory(prefix="atrium-sp-paths-") as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "srv").mkdir()
        (tmp / "idp").mkdir()
        port = free_port()
        w = World()
        w.portal_url = f"https://localhost:{port}/portal"
        w.server = make_server(tmp / "srv", settings=[f"server.port={port}", f"portal.public_url={w.portal_url}",
                                                      "applications.certificate_key_bits=2048"])
        w.peer = None
        try:
            new_user(w.server.client(), w.server.store_id, USER, email=USER)
            # Atrium's MFA on for every sign-in, set before the user ever signs in.
            w.server.cli("admin", "mfa", "settings", "--mode", "always-on")
            sp = atrium_sp.service_provider(w.server)
            w.peer = pysaml2_idp.start(tmp / "idp", sp["Metadata"], {LOGIN: {"password": PASSWORD, "name_id": USER}})
            w.idp_id = atrium_sp.configure(w.server, metadata=w.peer.metadata, allow_idp_initiated=False)
            assign(w.server, USER)
            made = app_cli(w.server, "create", "--provider", "custom", "--name", "Paths wiki", "--entity-id", APP_ENTITY,
                           "--acs-url", APP_ACS)
            w.app = made["ApplicationInstance"]
            w.app_id = w.app["ApplicationArn"].rsplit("/", 1)[1]
            app_cli(w.server, "assign", w.app_id, "--user", USER)
            yield w
        finally:
            if w.peer is not None:
                w.peer.stop()
            assert w.server.stop() == 0


class Forms(html.parser.HTMLParser):
    """The forms of a page: [{action, fields}] (hidden inputs' values, unescaped)."""

    def __init__(self, text):
        super().__init__()
        self.forms = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def idp_sign_in(w):
    """The start URL -> the IdP's login form -> its Response posted to Atrium's ACS: a browser
    (requests session) with a portal session, and that session's CSRF token."""
    b = atrium_sp.browser()
    r = b.get(w.server.endpoint + "/portal/", allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"] == "/portal/sp/login", (r.status_code, r.headers)
    request_id, location = atrium_sp.begin(w.server, b)
    assert location.startswith(w.peer.base + "/sso?"), location
    form = Forms(b.get(location, timeout=30).text).forms[0]
    posted = b.post(w.peer.base + form["action"], timeout=30,
                    data={"ticket": form["fields"]["ticket"], "user": LOGIN, "password": PASSWORD})
    assert posted.status_code == 200, posted.text
    to_acs = Forms(posted.text).forms[0]
    sp = atrium_sp.service_provider(w.server)
    assert to_acs["action"] == sp["AcsUrl"], to_acs
    response_xml = base64.b64decode(to_acs["fields"]["SAMLResponse"])
    assert f'InResponseTo="{request_id}"'.encode() in response_xml
    r = atrium_sp.post(w.server, b, to_acs["fields"]["SAMLResponse"], to_acs["fields"].get("RelayState"))
    # Straight into the portal: no MFA step in between, although MFA is always on.
    assert r.status_code == 200, r.text
    assert 'http-equiv="refresh" content="0;url=/portal/"' in r.text, r.text
    ok, s = atrium_sp.signed_in(w.server, b)
    assert ok and s.json()["user"]["userName"] == USER, s.text
    b.headers["X-CSRF-Token"] = s.json()["csrfToken"]
    return b


def audit(w, name, wanted=lambda r: True, timeout=10):
    """The records named `name`, once one satisfies `wanted`: a read's record (the launch's
    Federate) is batched and reaches the log within 100 ms (docs/audit.md "Durability")."""
    deadline = time.time() + timeout
    while True:
        out = w.server.cli("audit", "--event-name", name, "--limit", "1000").stdout
        records = [json.loads(l) for l in out.splitlines() if l.strip()]
        if any(map(wanted, records)) or time.time() > deadline:
            return records
        time.sleep(0.1)


def no_atrium_mfa_asked(w):
    """Atrium's MFA was never challenged or verified for the IdP user, and the settings say why."""
    for name in ("CredentialChallenge", "CredentialVerification"):
        records = audit(w, name, timeout=0)
        assert not [r for r in records if USER in json.dumps(r)], records
    mfa = json.loads(w.server.cli("admin", "mfa", "settings", "--json").stdout)
    assert mfa["Mode"] == "always-on" and mfa["AppliesTo"] == "BUILT_IN_USERS_ONLY", mfa


def unsigned(service, w):
    return boto3.client(service, region_name=REGION, endpoint_url=w.server.endpoint, verify=False,
                        config=botocore.config.Config(signature_version=botocore.UNSIGNED,
                                                      retries={"max_attempts": 1, "mode": "standard"}))


def test_idp_user_approves_a_cli_device_authorization(world):
    w = world
    oidc, sso = unsigned("sso-oidc", w), unsigned("sso", w)
    reg = oidc.register_client(clientName="sp-paths-cli", clientType="public", scopes=["sso:account:access"])
    auth = oidc.start_device_authorization(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                           startUrl=w.portal_url)
    assert auth["verificationUriComplete"].startswith(w.portal_url + "/device?user_code="), auth

    b = idp_sign_in(w)
    api = w.server.endpoint + "/portal/api/device/"
    looked = b.post(api + "lookup", json={"userCode": auth["userCode"]}, timeout=30)
    assert looked.status_code == 200 and looked.json()["clientName"] == "sp-paths-cli", looked.text
    decided = b.post(api + "decide", json={"userCode": auth["userCode"], "approve": True}, timeout=30)
    assert decided.status_code == 200 and decided.json()["decision"] == "APPROVED", decided.text

    token = oidc.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code", clientId=reg["clientId"],
                              clientSecret=reg["clientSecret"], deviceCode=auth["deviceCode"])["accessToken"]
    accounts = sso.list_accounts(accessToken=token)["accountList"]
    assert accounts == [{"accountId": ACCOUNT, "accountName": "Dev", "emailAddress": "dev@example.com"}], accounts
    roles = sso.list_account_roles(accessToken=token, accountId=ACCOUNT)["roleList"]
    assert roles == [{"roleName": ROLE, "accountId": ACCOUNT}], roles
    # The token is the IdP user's: CreateToken names them.
    created = audit(w, "CreateToken", lambda r: "errorCode" not in r)
    assert [r["userIdentity"]["userName"] for r in created if "errorCode" not in r] == [USER], created
    no_atrium_mfa_asked(w)


def test_idp_user_opens_an_assigned_saml_application(world, tmp_path):
    w = world
    b = idp_sign_in(w)
    tiles = b.get(w.server.endpoint + "/portal/api/portal/accounts", timeout=30).json()["applications"]
    assert [(t["id"], t["launch"]) for t in tiles] == [(w.app_id, "saml")], tiles

    # The tile's form: same origin, the session cookie and the CSRF token as a field.
    r = b.post(f"{w.server.endpoint}/portal/saml/launch/{w.app_id}", data={"csrf": b.headers["X-CSRF-Token"]},
               headers={"Origin": w.server.endpoint}, allow_redirects=False, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html"), (r.status_code, r.text)
    assert "form-action https://wiki.paths.test " in r.headers["Content-Security-Policy"], r.headers
    form = next(f for f in Forms(r.text).forms if "SAMLResponse" in f["fields"])
    assert form["action"] == APP_ACS, form
    xml = base64.b64decode(form["fields"]["SAMLResponse"])
    root = ET.fromstring(xml)
    assert root.tag == SAMLP + "Response" and root.get("Destination") == APP_ACS, xml
    assert root.get("InResponseTo") is None, "a tile's launch is IdP-initiated"
    assert root.find(f"{SAMLP}Status/{SAMLP}StatusCode").get("Value").endswith(":Success"), xml
    assertion = root.find(SAML + "Assertion")
    assert assertion.find(f"{SAML}Subject/{SAML}NameID").text == USER, xml
    assert assertion.find(f".//{SAML}Audience").text == APP_ENTITY, xml
    ok, why = xmlsec1_verifies(xml, w.app["Certificates"][0]["CertificatePem"], tmp_path)
    assert ok, why

    launched = lambda f: "errorCode" not in f and f["userIdentity"].get("userName") == USER  # noqa: E731
    assert any(map(launched, audit(w, "Federate", launched))), "the launch is a Federate record of the IdP user"
    no_atrium_mfa_asked(w)

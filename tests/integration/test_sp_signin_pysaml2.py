"""Atrium as SAML 2.0 service provider with pysaml2 as the external IdP (issue 17 item 3).

Interpreter: Debian's /usr/bin/python3 with python3-pysaml2 (7.0.1), python3-requests and
python3-boto3 from apt; `openssl` makes the IdP's throwaway key. The IdP is pysaml2's
saml2.server.Server in this process (its signatures are made by Debian's xmlsec1); the browser
is a requests session with a cookie jar, so no browser is needed: the test follows Atrium's
redirect to the IdP, lets pysaml2 read the AuthnRequest and build the signed Response for it,
and posts that Response to Atrium's ACS as the browser would.

Checks: the identity source is switched through the AtriumAdmin API (metadata upload, ACCEPT),
the portal's start URL sends an unauthenticated browser to the IdP, a Response for the request
this browser made starts a portal session for the user whose userName is the NameID, the same
Response posted again is refused and leaves an ExternalIdPDirectoryLogin record with the reason,
as do a Response for another browser's request and an IdP-initiated Response while that is off.
"""
import base64
import json
import pathlib
import subprocess
import tempfile
import urllib.parse

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import REGION, make_server, new_user
from test_portal_signin import free_port

saml2 = pytest.importorskip("saml2", reason="needs python3-pysaml2 (apt install python3-pysaml2)")
from saml2 import BINDING_HTTP_REDIRECT  # noqa: E402
from saml2.config import IdPConfig  # noqa: E402
from saml2.metadata import create_metadata_string  # noqa: E402
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID  # noqa: E402
from saml2.server import Server as IdpServer  # noqa: E402
import saml2.xmldsig as ds  # noqa: E402

IDP_ENTITY = "https://idp.example.test/idp"
IDP_SSO = "https://idp.example.test/sso"
USER = "alice@example.test"


def admin(server, op, body):
    """One AtriumAdmin operation, SigV4-signed as AWS JSON 1.1."""
    url = server.endpoint + "/"
    req = AWSRequest(method="POST", url=url, data=json.dumps(body),
                     headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AtriumAdmin.{op}"})
    SigV4Auth(Credentials(server.key["AccessKeyId"], server.key["SecretAccessKey"]), "sso-directory",
              REGION).add_auth(req)
    r = requests.post(url, data=req.body, headers=dict(req.headers), verify=False, timeout=30)
    return r.status_code, r.json()


def make_idp(tmp, sp_metadata):
    key, crt = tmp / "idp.key", tmp / "idp.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(crt),
                    "-days", "30", "-subj", "/CN=idp.example.test"], check=True, capture_output=True)
    conf = {
        "entityid": IDP_ENTITY,
        "service": {"idp": {"endpoints": {"single_sign_on_service": [(IDP_SSO, BINDING_HTTP_REDIRECT)]},
                            "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                                   "name_form": NAME_FORMAT_URI}},
                            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS]}},
        "key_file": str(key), "cert_file": str(crt),
        "metadata": {"inline": [sp_metadata]},
        "xmlsec_binary": "/usr/bin/xmlsec1",
    }
    cfg = IdPConfig().load(conf)
    return IdpServer(config=cfg), create_metadata_string(None, config=cfg).decode()


def respond(idp, sp, in_response_to, name=USER):
    xml = idp.create_authn_response(
        {}, in_response_to, sp["AcsUrl"], sp["EntityId"],
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=name),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_response=True, sign_assertion=True, sign_alg=ds.SIG_RSA_SHA256, digest_alg=ds.DIGEST_SHA256)
    return base64.b64encode(str(xml).encode()).decode()


def sp_events(server):
    lines = (server.data_dir / "audit" / "events.jsonl").read_text().splitlines()
    return [e for e in map(json.loads, lines) if e.get("eventName") == "ExternalIdPDirectoryLogin"]


@pytest.fixture(scope="module")
def setup():
    with tempfile.TemporaryDirectory(prefix="atrium-sp-") as tmp:
        tmp = pathlib.Path(tmp)
        port = free_port()
        server = make_server(tmp / "srv" if (tmp / "srv").mkdir() is None else None,
                             settings=[f"server.port={port}", f"portal.public_url=https://localhost:{port}/portal",
                                       "sp.clock_skew_seconds=30"])
        new_user(server.client(), server.store_id, USER, email=USER)
        status, d = admin(server, "DescribeIdentitySource", {})
        assert status == 200 and d["IdentitySource"] == "BUILT_IN", d
        sp = d["ServiceProvider"]
        assert sp["EntityId"] == f"https://localhost:{port}/portal/sp", sp
        assert sp["AcsUrl"] == f"https://localhost:{port}/portal/sp/acs", sp
        md = requests.get(server.endpoint + "/portal/sp/metadata", verify=False, timeout=30)
        assert md.status_code == 200 and md.headers["Content-Type"] == "application/samlmetadata+xml", md.headers
        assert md.text == sp["Metadata"]
        idp, idp_metadata = make_idp(tmp, md.text)
        status, made = admin(server, "CreateExternalIdPConfigurationForDirectory", {"Metadata": idp_metadata})
        assert status == 200, made
        status, bad = admin(server, "EnableExternalIdPConfigurationForDirectory",
                            {"IdpId": made["IdpId"], "Confirmation": "yes"})
        assert status == 400 and bad["__type"] == "ValidationException", bad
        status, on = admin(server, "EnableExternalIdPConfigurationForDirectory",
                           {"IdpId": made["IdpId"], "Confirmation": "ACCEPT"})
        assert status == 200 and on["IdentitySource"] == "EXTERNAL_IDP" and on["Kept"]["Users"] == 1, on
        yield server, idp, sp, made["IdpId"]
        server.stop()


def browser():
    s = requests.Session()
    s.verify = False
    s.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify
    return s


def sign_in_request(server, b):
    """The start URL -> /portal/sp/login -> the IdP with an AuthnRequest; returns its query."""
    r = b.get(server.endpoint + "/portal/", allow_redirects=False, timeout=30)
    assert r.status_code == 302 and r.headers["Location"] == "/portal/sp/login", (r.status_code, r.headers)
    r = b.get(server.endpoint + "/portal/sp/login", allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text
    cookie = r.headers["Set-Cookie"]
    assert "atrium_sp_request=" in cookie and "SameSite=None" in cookie and "HttpOnly" in cookie, cookie
    assert "Path=/portal/sp" in cookie and "Secure" in cookie, cookie
    location = r.headers["Location"]
    assert location.startswith(IDP_SSO + "?SAMLRequest="), location
    return urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["SAMLRequest"][0]


def post_acs(server, b, saml_response):
    return b.post(server.endpoint + "/portal/sp/acs", data={"SAMLResponse": saml_response}, allow_redirects=False,
                  timeout=30)


def test_sp_initiated_sign_in_then_replay_refused(setup):
    server, idp, sp, idp_id = setup
    b = browser()
    request = idp.parse_authn_request(sign_in_request(server, b), BINDING_HTTP_REDIRECT)
    assert request.message.issuer.text == sp["EntityId"]
    assert request.message.assertion_consumer_service_url == sp["AcsUrl"]
    response = respond(idp, sp, request.message.id)
    token = b.cookies.get("atrium_sp_request")
    assert token

    r = post_acs(server, b, response)
    assert "atrium_sp_request=;" in r.headers.get("Set-Cookie", ""), "the request cookie is cleared"
    assert r.status_code == 200, r.text
    assert 'http-equiv="refresh" content="0;url=/portal/"' in r.text, r.text
    assert "<script" not in r.text
    s = b.get(server.endpoint + "/portal/api/session", timeout=30).json()
    assert s["signedIn"] is True and s["user"]["userName"] == USER, s
    accounts = b.get(server.endpoint + "/portal/api/portal/accounts", timeout=30)
    assert accounts.status_code == 200, accounts.text
    ok = [e for e in sp_events(server) if e["serviceEventDetails"] == {"ExternalIdPDirectoryLogin": "Success"}]
    assert ok and ok[-1]["additionalEventData"]["IdpId"] == idp_id, ok
    assert ok[-1]["eventSource"] == "sso-directory.amazonaws.com"

    # The same Response again, with the same request cookie: the request was answered already.
    before = len(sp_events(server))
    again = browser().post(server.endpoint + "/portal/sp/acs", data={"SAMLResponse": response},
                           headers={"Cookie": f"atrium_sp_request={token}"}, allow_redirects=False, timeout=30)
    assert again.status_code == 403, again.text
    assert "pending request" in again.text, again.text
    refused = sp_events(server)[before:]
    assert len(refused) == 1 and refused[0]["serviceEventDetails"] == {"ExternalIdPDirectoryLogin": "Failure"}, refused
    reason = refused[0]["additionalEventData"]["Reason"]
    assert "InResponseTo" in reason, reason
    assert response not in json.dumps(refused[0]), "the assertion is never recorded"


def test_response_for_another_browsers_request_is_refused(setup):
    server, idp, sp, _ = setup
    victim, attacker = browser(), browser()
    request = idp.parse_authn_request(sign_in_request(server, victim), BINDING_HTTP_REDIRECT)
    sign_in_request(server, attacker)  # the attacker has a cookie of its own
    r = post_acs(server, attacker, respond(idp, sp, request.message.id))
    assert r.status_code == 403, r.text
    assert attacker.get(server.endpoint + "/portal/api/session", timeout=30).json() == {"signedIn": False}


def test_unsolicited_response_refused_then_allowed_once(setup):
    server, idp, sp, idp_id = setup
    b = browser()
    response = respond(idp, sp, None)
    r = post_acs(server, b, response)
    assert r.status_code == 403 and "Unsolicited" in r.text, r.text
    assert "Unsolicited" in sp_events(server)[-1]["additionalEventData"]["Reason"]

    status, out = admin(server, "UpdateExternalIdPConfigurationForDirectory", {"IdpId": idp_id, "AllowIdpInitiated": True})
    assert status == 200 and out["ExternalIdP"]["AllowIdpInitiated"] is True, out
    try:
        response = respond(idp, sp, None)
        assert post_acs(server, b, response).status_code == 200
        assert b.get(server.endpoint + "/portal/api/session", timeout=30).json()["signedIn"] is True
        replay = post_acs(server, browser(), response)
        assert replay.status_code == 403 and "replay" in replay.text, replay.text
        assert "replay" in sp_events(server)[-1]["additionalEventData"]["Reason"]
    finally:
        admin(server, "UpdateExternalIdPConfigurationForDirectory", {"IdpId": idp_id, "AllowIdpInitiated": False})


def test_unknown_user_refused_and_password_sign_in_sent_to_idp(setup):
    server, idp, sp, _ = setup
    b = browser()
    request = idp.parse_authn_request(sign_in_request(server, b), BINDING_HTTP_REDIRECT)
    r = post_acs(server, b, respond(idp, sp, request.message.id, name="nobody@example.test"))
    assert r.status_code == 403 and "No user has the userName" in r.text, r.text
    # Refused before the Response is read (not a form): recorded all the same.
    r = b.post(server.endpoint + "/portal/sp/acs", json={"SAMLResponse": "x"}, timeout=30)
    assert r.status_code == 415 and "<script" not in r.text, r.text
    assert "x-www-form-urlencoded" in sp_events(server)[-1]["additionalEventData"]["Reason"]
    # Right after a sign-out the page says so instead of going straight back to the IdP.
    assert b.get(server.endpoint + "/portal/signin?signedOut=1", allow_redirects=False, timeout=30).status_code == 200
    # The built-in password sign-in is not offered while the source is the IdP.
    start = b.post(server.endpoint + "/portal/api/signin/start", json={"userName": USER}, timeout=30)
    assert start.status_code == 200 and start.json() == {"next": "redirect", "redirect": "/portal/sp/login"}, start.text
    # Passwords are the IdP's: "Forgot password" says so, for any name (no enumeration).
    for name in (USER, "nobody@example.test"):
        forgot = b.post(server.endpoint + "/portal/api/password/forgot", json={"userName": name}, timeout=30)
        assert forgot.status_code == 403 and "passwords are managed there" in forgot.json()["message"], forgot.text


def test_cli_shows_the_idp_and_refuses_an_unconfirmed_switch(setup):
    server, _, sp, idp_id = setup
    # The SP's URLs come from portal.public_url, which the CLI reads from the same settings.
    public = ["--set", "portal.public_url=" + sp["EntityId"].removesuffix("/sp")]
    shown = json.loads(server.cli("admin", "identity-source", "show", "--json", *public).stdout)
    assert shown["IdentitySource"] == "EXTERNAL_IDP" and shown["ServiceProvider"]["AcsUrl"] == sp["AcsUrl"], shown
    assert [i["IdpId"] for i in shown["ExternalIdPs"]] == [idp_id], shown
    # The IdP's test certificate is valid for 30 days: inside the 90-day warning period.
    assert len(shown["Warnings"]) == 1 and idp_id in shown["Warnings"][0], shown["Warnings"]
    assert "expires on" in shown["Warnings"][0], shown["Warnings"]
    r = server.cli("admin", "identity-source", "disable", "--confirm", "yes", check=False)
    assert r.returncode == 1 and "ACCEPT" in r.stderr, r.stderr
    r = server.cli("admin", "delete-configuration", "--confirm", "DELETE", check=False)
    assert r.returncode == 1 and server.store_id in r.stderr, r.stderr
    assert server.cli("admin", "identity-source", "sp-metadata", *public).stdout == sp["Metadata"]
    # MFA is the IdP's: Atrium's settings say they apply to built-in users only.
    mfa = json.loads(server.cli("admin", "mfa", "settings", "--json").stdout)
    assert mfa["IdentitySource"] == "EXTERNAL_IDP" and mfa["AppliesTo"] == "BUILT_IN_USERS_ONLY", mfa


def test_signed_authn_requests_verify_with_pysaml2(setup):
    import re
    from saml2.sigver import verify_redirect_signature
    server, idp, sp, idp_id = setup
    status, out = admin(server, "UpdateExternalIdPConfigurationForDirectory", {"IdpId": idp_id, "SignAuthnRequests": True})
    assert status == 200 and out["ExternalIdP"]["SignAuthnRequests"] is True, out
    try:
        r = browser().get(server.endpoint + "/portal/sp/login", allow_redirects=False, timeout=30)
        query = urllib.parse.urlsplit(r.headers["Location"]).query
        msg = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        assert msg["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", msg
        cert = re.search(r"<ds:X509Certificate>([^<]+)</ds:X509Certificate>", sp["Metadata"]).group(1)
        assert verify_redirect_signature(msg, idp.sec.sec_backend, cert=cert)
        forged = dict(msg, SAMLRequest=msg["SAMLRequest"][:-4] + "AAAA")
        assert not verify_redirect_signature(forged, idp.sec.sec_backend, cert=cert)
    finally:
        admin(server, "UpdateExternalIdPConfigurationForDirectory", {"IdpId": idp_id, "SignAuthnRequests": False})


def test_multiple_idps_pick_the_idp_by_the_email_domain(setup, tmp_path):
    server, idp, sp, idp_id = setup
    status, out = admin(server, "UpdateIdentitySourceSettings", {"MultipleIdPs": True})
    assert status == 200 and out == {"MultipleIdPs": True}, out
    # A second IdP (by hand: its values and certificate), bound to corp.example.
    tmp = tmp_path
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp / "k"),
                    "-out", str(tmp / "c"), "-days", "200", "-subj", "/CN=second.example"], check=True, capture_output=True)
    status, second = admin(server, "CreateExternalIdPConfigurationForDirectory",
                           {"EntityId": "https://second.example/idp", "SsoUrl": "https://second.example/sso",
                            "Certificates": [(tmp / "c").read_text()], "Domains": ["corp.example"]})
    assert status == 200, second
    try:
        status, on = admin(server, "EnableExternalIdPConfigurationForDirectory",
                           {"IdpId": second["IdpId"], "Confirmation": "ACCEPT"})
        assert status == 200 and on["DisabledIdPs"] == [], on  # both stay enabled
        b = browser()
        # The start URL shows the sign-in page now (it asks for the e-mail).
        assert b.get(server.endpoint + "/portal/", allow_redirects=False, timeout=30).status_code == 200
        start = b.post(server.endpoint + "/portal/api/signin/start", json={"userName": "dave@corp.example"}, timeout=30)
        assert start.json() == {"next": "redirect", "redirect": "/portal/sp/login?idp=" + second["IdpId"]}, start.text
        r = b.get(server.endpoint + start.json()["redirect"], allow_redirects=False, timeout=30)
        assert r.status_code == 302 and r.headers["Location"].startswith("https://second.example/sso?SAMLRequest="), r.headers
        # Break-glass: a name no IdP claims goes on with a password (the built-in workflow).
        glass = b.post(server.endpoint + "/portal/api/signin/start", json={"userName": "admin"}, timeout=30).json()
        assert glass["next"] == "password" and glass["workflowId"], glass
        # Turning multi-IdP mode off needs one enabled IdP at most.
        status, err = admin(server, "UpdateIdentitySourceSettings", {"MultipleIdPs": False})
        assert status == 400 and err["__type"] == "ConflictException", err
    finally:  # back to the module's set-up: one IdP, single-IdP mode
        for op, body in [("DisableExternalIdPConfigurationForDirectory", {"Confirmation": "ACCEPT"}),
                         ("UpdateIdentitySourceSettings", {"MultipleIdPs": False}),
                         ("EnableExternalIdPConfigurationForDirectory", {"IdpId": idp_id, "Confirmation": "ACCEPT"}),
                         ("DeleteExternalIdPConfigurationForDirectory", {"IdpId": second["IdpId"]})]:
            status, out = admin(server, op, body)
            assert status == 200, (op, out)


def test_certificate_expiry_reaches_metrics():
    """An IdP configured with the CLI before the server starts: its 30-day certificate counts."""
    from conftest import Server
    with tempfile.TemporaryDirectory(prefix="atrium-sp-metrics-") as tmp:
        tmp = pathlib.Path(tmp)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp / "k"),
                        "-out", str(tmp / "c.pem"), "-days", "30", "-subj", "/CN=soon.example"], check=True,
                       capture_output=True)
        s = Server(tmp / "data" if (tmp / "data").mkdir() is None else None)
        s.key = s.create_key()
        made = json.loads(s.cli("admin", "identity-source", "create", "--entity-id", "https://soon.example/idp",
                                "--sso-url", "https://soon.example/sso", "--certificate", str(tmp / "c.pem"),
                                "--json").stdout)
        assert made["IdpId"].startswith("idp-"), made
        s.start()
        try:
            metrics = requests.get(s.endpoint + "/metrics", verify=False, timeout=30).text
            assert "atrium_external_idp_certificates 1" in metrics, metrics
            assert "atrium_external_idp_certificates_expiring_soon 1" in metrics, metrics
        finally:
            s.stop()


def test_a_directory_only_key_may_not_delete_the_configuration(setup, tmp_path):
    server, _, _, _ = setup
    policy = tmp_path / "directory.json"
    policy.write_text(json.dumps({"Version": "2012-10-17",
                                  "Statement": [{"Effect": "Allow", "Action": "sso-directory:*", "Resource": "*"}]}))
    key = json.loads(server.cli("admin", "create-access-key", "--json", "--user-name", "directory",
                                "--policy-file", str(policy)).stdout)
    directory = type(server)(server.data_dir)
    directory.port, directory.tls, directory.key = server.port, server.tls, key
    status, d = admin(directory, "DescribeIdentitySource", {})
    assert status == 200 and d["IdentitySource"] == "EXTERNAL_IDP", d
    status, err = admin(directory, "DeleteConfiguration", {"Confirmation": server.store_id})
    assert status == 400 and err["__type"] == "AccessDeniedException", err

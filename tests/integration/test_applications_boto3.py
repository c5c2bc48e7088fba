"""SAML applications through real clients (issue 15 items 3, 5, 8).

Interpreters: Debian's /usr/bin/python3 runs this file (pytest, requests, boto3 1.26 for the
identity store); the application operations are newer than Debian's botocore, so
applications_client.py drives them with the pyenv Python's boto3 1.43
(/root/.pyenv/shims/python3) in a subprocess. `atrium admin app` is run as the binary it is.
The SSO endpoint is exercised over HTTP with `requests`: what a browser brings from a service
provider, and what must be refused without a redirect.
"""
import base64
import json
import os
import re
import subprocess
import urllib.parse
import zlib

import pytest
import requests

from conftest import new_user

PYENV_PYTHON = "/root/.pyenv/shims/python3"
HERE = os.path.dirname(os.path.abspath(__file__))


def pyenv_boto3_missing():
    if not os.path.exists(PYENV_PYTHON):
        return True
    r = subprocess.run([PYENV_PYTHON, "-c", "import boto3; assert boto3.__version__ >= '1.34'"], capture_output=True)
    return r.returncode != 0


def group_with(server, name, member):
    c = server.client()
    g = c.create_group(IdentityStoreId=server.store_id, DisplayName=name)["GroupId"]
    c.create_group_membership(IdentityStoreId=server.store_id, GroupId=g, MemberId={"UserId": member})
    return g


def app_cli(server, *args, check=True):
    r = server.cli("admin", "app", *args, check=False)
    if check:
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout) if r.stdout.strip().startswith("{") else r.stdout
    return r


def redirect_request(acs, issuer, request_id, relay=None, destination=None):
    """The HTTP-Redirect binding's query (SAML bindings 3.4.4.1): raw DEFLATE, base64, URL-encoded."""
    dest = f' Destination="{destination}"' if destination else ""
    xml = (f'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
           f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{request_id}" Version="2.0" '
           f'IssueInstant="{iso_now()}" AssertionConsumerServiceURL="{acs}"{dest}>'
           f'<saml:Issuer>{issuer}</saml:Issuer></samlp:AuthnRequest>')
    return query_of(xml, relay)


def query_of(xml, relay=None):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = c.compress(xml.encode()) + c.flush()
    q = {"SAMLRequest": base64.b64encode(deflated).decode()}
    if relay is not None:
        q["RelayState"] = relay
    return urllib.parse.urlencode(q)


def iso_now():
    import datetime
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.skipif(pyenv_boto3_missing(), reason="the pyenv Python with boto3 >= 1.34 is needed "
                    "(/root/.pyenv/shims/python3; pip install boto3) for the application operations")
def test_application_operations_with_the_newest_boto3(server):
    c = server.client()
    user = new_user(c, server.store_id, "app-user", email="app-user@example.com")
    group = group_with(server, "app-group", user)
    r = subprocess.run([PYENV_PYTHON, os.path.join(HERE, "applications_client.py"), server.endpoint,
                        server.key["AccessKeyId"], server.key["SecretAccessKey"], server.key["InstanceArn"], user, group],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr + r.stdout
    out = json.loads(r.stdout.strip().splitlines()[-1])
    # The icon and the metadata are served, unauthenticated, where the answers say.
    icon = requests.get(out["icon_url"].replace("https://localhost", "https://127.0.0.1"), verify=False, timeout=10)
    assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/svg+xml", icon.text
    assert "sandbox" in icon.headers["Content-Security-Policy"]
    app_id = out["app"].rsplit("/", 1)[1]
    md = requests.get(f"{server.endpoint}/saml/metadata/{app_id}", verify=False, timeout=10)
    assert md.status_code == 200 and md.headers["Content-Type"] == "application/samlmetadata+xml"
    assert f'/saml/assertion/{app_id}"' in md.text and "<md:IDPSSODescriptor" in md.text
    # CloudTrail names of the guide's console operations.
    events = [json.loads(l)["eventName"] for l in server.cli("audit", "--limit", "500").stdout.splitlines()]
    for name in ("CreateApplication", "CreateApplicationAssignment", "UpdateApplicationInstanceServiceProviderConfiguration",
                 "CreateApplicationInstanceCertificate", "UpdateApplicationInstanceActiveCertificate",
                 "DeleteApplicationInstanceCertificate", "PutApplicationAssignmentConfiguration"):
        assert name in events, name


def test_admin_app_cli_over_the_same_operations(server):
    c = server.client()
    user = new_user(c, server.store_id, "cli-user", email="cli-user@example.com")
    group_with(server, "cli-group", user)
    providers = app_cli(server, "providers")
    assert len(providers["ApplicationProviders"]) >= 26
    tmpl = app_cli(server, "template", "github-enterprise-cloud-organization")
    assert tmpl["ApplicationTemplate"]["Fields"], tmpl
    made = app_cli(server, "create", "--provider", "slack", "--name", "Slack CLI", "--field", "workspace=cli",
                   "--session-minutes", "120", "--sign", "response")
    inst = made["ApplicationInstance"]
    assert inst["ServiceProviderConfig"]["AcsUrls"] == ["https://cli.slack.com/sso/saml"], inst
    assert inst["ResponseConfig"]["SessionDuration"] == 7200 and inst["ResponseConfig"]["Sign"] == "RESPONSE", inst
    arn = inst["ApplicationArn"]
    app_id = arn.rsplit("/", 1)[1]
    app_cli(server, "assign", app_id, "--group", "cli-group")
    assert app_cli(server, "assignments", app_id)["ApplicationAssignments"][0]["PrincipalType"] == "GROUP"
    maps = app_cli(server, "set-mappings", app_id, "--mapping", "Subject=${user:email};emailAddress",
                   "--mapping", "dept=${path:enterprise.department};basic")
    assert maps["ResponseSchemaConfig"]["AttributeMappings"][1]["Value"] == "${path:enterprise.department}"
    bad = app_cli(server, "set-mappings", app_id, "--mapping", "x=${user:nope}", check=False)
    assert bad.returncode == 1 and "ValidationException" in bad.stderr, bad.stderr
    custom = app_cli(server, "create", "--provider", "custom", "--name", "Custom CLI", "--entity-id", "https://sp.cli.test",
                     "--acs-url", "https://sp.cli.test/acs", "--relay-state", "/home", "--name-id-format", "persistent")
    assert custom["ApplicationInstance"]["ResponseConfig"]["NameIdFormat"].endswith(":persistent")
    md = app_cli(server, "metadata", app_id)
    assert md.startswith("<?xml") and "IDPSSODescriptor" in md
    cert = app_cli(server, "certificate-create", app_id, "--key-size", "2048", "--validity-months", "3")["Certificate"]
    assert cert["Status"] == "INACTIVE" and cert["ExpiryStatus"] == "EXPIRING_SOON", cert
    listed = app_cli(server, "certificates", app_id)["Certificates"]
    active = [x for x in listed if x["Status"] == "ACTIVE"][0]
    refused = app_cli(server, "certificate-delete", app_id, active["CertificateId"], check=False)
    assert refused.returncode == 1 and "ConflictException" in refused.stderr
    app_cli(server, "certificate-activate", app_id, cert["CertificateId"])
    app_cli(server, "certificate-delete", app_id, active["CertificateId"])
    app_cli(server, "disable", app_id)
    app_cli(server, "delete", app_id)
    gone = app_cli(server, "describe", app_id, check=False)
    assert gone.returncode == 1 and "ResourceNotFoundException" in gone.stderr


def test_the_sso_endpoint_refuses_without_redirecting(server):
    made = app_cli(server, "create", "--provider", "custom", "--name", "Endpoint", "--entity-id", "https://sp.endpoint.test",
                   "--acs-url", "https://sp.endpoint.test/acs")
    app_id = made["ApplicationInstance"]["ApplicationArn"].rsplit("/", 1)[1]
    sso = f"{server.endpoint}/saml/assertion/{app_id}"

    def get(query):
        return requests.get(f"{sso}?{query}", verify=False, allow_redirects=False, timeout=10)

    ok = get(redirect_request("https://sp.endpoint.test/acs", "https://sp.endpoint.test", "_ok1", relay="r" * 80))
    assert ok.status_code == 303, ok.text
    assert re.fullmatch(r"/portal/saml/continue\?request=[0-9a-f]{64}", ok.headers["Location"])
    # The same AuthnRequest again: a replay.
    replay = get(redirect_request("https://sp.endpoint.test/acs", "https://sp.endpoint.test", "_ok1"))
    assert replay.status_code == 400 and "Location" not in replay.headers and "seen before" in replay.text
    for query, why in [
        (redirect_request("https://evil.example/acs", "https://sp.endpoint.test", "_e1"), "AssertionConsumerServiceURL"),
        (redirect_request("https://sp.endpoint.test/acs", "https://sp.endpoint.test", "_e2", relay="r" * 81), "80 bytes"),
        (redirect_request("https://sp.endpoint.test/acs", "https://other.test", "_e3"), "Issuer"),
        (query_of('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'), "DOCTYPE"),
    ]:
        r = get(query)
        assert r.status_code == 400, (why, r.status_code, r.text)
        assert "Location" not in r.headers
        assert r.headers["Content-Type"].startswith("text/html")
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert why in r.text or why == "DOCTYPE", (why, r.text)
    # HTTP-POST binding: a form, refused the same way when the ACS is not registered.
    xml = ('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
           f'ID="_p1" Version="2.0" IssueInstant="{iso_now()}" AssertionConsumerServiceURL="https://evil.example/acs">'
           '<saml:Issuer>https://sp.endpoint.test</saml:Issuer></samlp:AuthnRequest>')
    post = requests.post(sso, data={"SAMLRequest": base64.b64encode(xml.encode()).decode()}, verify=False,
                         allow_redirects=False, timeout=10)
    assert post.status_code == 400 and "Location" not in post.headers
    unknown = requests.get(f"{server.endpoint}/saml/assertion/apl-ffffffffffffffff?" +
                           redirect_request("https://sp.endpoint.test/acs", "https://sp.endpoint.test", "_u1"),
                           verify=False, allow_redirects=False, timeout=10)
    assert unknown.status_code == 404
    # Refusals are audited with their error code.
    records = [json.loads(l) for l in server.cli("audit", "--event-name", "SAMLAuthnRequest").stdout.splitlines()]
    assert any(r.get("errorCode") == "ReplayedRequest" for r in records), records
    assert any("errorCode" not in r for r in records)


# ---- the portal's side: the Response, and who gets none ----------------------------------------

PASSWORD = "Portal-Passw0rd!x"


def portal_session(server, user_name):
    """Signs `user_name` in through the portal's API (one-time password, then a new one)."""
    otp = json.loads(server.cli("admin", "user", "reset-password", "--user", user_name, "--one-time-password",
                                "--json").stdout)["OneTimePassword"]
    s = requests.Session()

    def post(path, body):
        r = s.post(f"{server.endpoint}{path}", json=body, verify=False, timeout=30)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    wf = post("/portal/api/signin/start", {"userName": user_name})["workflowId"]
    step = post("/portal/api/signin/password", {"workflowId": wf, "password": otp})
    assert step["next"] == "new-password", step
    done = post("/portal/api/signin/new-password", {"workflowId": wf, "newPassword": PASSWORD})
    assert done["next"] == "done", done
    s.headers["X-CSRF-Token"] = done["csrfToken"]
    return s


def xmlsec1_verifies(response_xml, cert_pem, tmp_path):
    """Debian's xmlsec1, an independent XML-DSig implementation, checks the (first: the Response's) signature."""
    doc, cert = tmp_path / "response.xml", tmp_path / "idp.pem"
    doc.write_bytes(response_xml)
    cert.write_text(cert_pem)
    r = subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-pem", str(cert),
                        "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
                        "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion", str(doc)],
                       capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def test_the_portal_answers_once_and_never_for_ended_sessions_disabled_users_or_removed_assignments(server, tmp_path):
    server.cli("admin", "mfa", "settings", "--mode", "disabled")
    c = server.client()
    user = new_user(c, server.store_id, "portal-user", email="portal-user@example.com")
    made = app_cli(server, "create", "--provider", "custom", "--name", "Portal app", "--entity-id", "https://sp.portal.test",
                   "--acs-url", "https://sp.portal.test/acs", "--set", "applications.certificate_key_bits=2048")
    inst = made["ApplicationInstance"]
    app_id = inst["ApplicationArn"].rsplit("/", 1)[1]
    app_cli(server, "assign", app_id, "--user", "portal-user")
    s = portal_session(server, "portal-user")
    tiles = s.get(f"{server.endpoint}/portal/api/portal/accounts", verify=False, timeout=30).json()["applications"]
    assert [t["id"] for t in tiles] == [app_id] and tiles[0]["launch"] == "saml", tiles

    def sp_request(request_id):
        r = requests.get(f"{server.endpoint}/saml/assertion/{app_id}?" +
                         redirect_request("https://sp.portal.test/acs", "https://sp.portal.test", request_id),
                         verify=False, allow_redirects=False, timeout=10)
        assert r.status_code == 303, r.text
        return r.headers["Location"].split("request=")[1]

    def answer(session, handle):
        return session.post(f"{server.endpoint}/portal/api/saml/continue", json={"request": handle}, verify=False, timeout=30)

    handle = sp_request("_portal1")
    r = answer(s, handle)
    assert r.status_code == 200, r.text
    post = r.json()["post"]
    assert post["acsUrl"] == "https://sp.portal.test/acs"
    xml = base64.b64decode(post["samlResponse"])
    assert b'InResponseTo="_portal1"' in xml and b"<saml:Audience>https://sp.portal.test</saml:Audience>" in xml
    ok, why = xmlsec1_verifies(xml, inst["Certificates"][0]["CertificatePem"], tmp_path)
    assert ok, why
    # Answered once: the same request again, or one nobody made, gets nothing.
    assert answer(s, handle).json()["error"] == "RequestAnswered"
    assert answer(s, "0" * 64).json()["error"] == "RequestExpired"
    # IdP-initiated from the tile: no InResponseTo.
    launched = s.post(f"{server.endpoint}/portal/api/applications/{app_id}/launch", json={}, verify=False, timeout=30)
    assert launched.status_code == 200, launched.text
    assert b"InResponseTo" not in base64.b64decode(launched.json()["post"]["samlResponse"])
    launch_url = f"{server.endpoint}/portal/api/applications/{app_id}/launch"
    # The launch checks the session and its CSRF token inside its own read: the portal's answers.
    no_csrf = requests.post(launch_url, json={}, cookies=s.cookies, verify=False, timeout=30)
    assert no_csrf.status_code == 403 and no_csrf.json()["error"] == "CsrfFailed", no_csrf.text
    # The assignment removed: the clear refusal, no Response.
    app_cli(server, "unassign", app_id, "--user", "portal-user")
    refused = answer(s, sp_request("_portal2"))
    assert refused.status_code == 403 and refused.json()["error"] == "NotAssigned", refused.text
    assert "samlResponse" not in refused.text
    refused = s.post(launch_url, json={}, verify=False, timeout=30)
    assert refused.status_code == 403 and refused.json()["error"] == "NotAssigned", refused.text
    app_cli(server, "assign", app_id, "--user", "portal-user")
    # An ended session, then a disabled user: no Response.
    assert answer(s, sp_request("_portal3")).status_code == 200
    assert s.post(f"{server.endpoint}/portal/api/signout", json={}, verify=False, timeout=30).status_code == 200
    assert answer(s, sp_request("_portal4")).status_code == 401
    ended = s.post(launch_url, json={}, verify=False, timeout=30)
    assert ended.status_code == 401 and ended.json()["error"] == "Unauthenticated", ended.text
    s2 = requests.Session()
    wf = s2.post(f"{server.endpoint}/portal/api/signin/start", json={"userName": "portal-user"}, verify=False, timeout=30).json()["workflowId"]
    done = s2.post(f"{server.endpoint}/portal/api/signin/password", json={"workflowId": wf, "password": PASSWORD}, verify=False, timeout=30).json()
    s2.headers["X-CSRF-Token"] = done["csrfToken"]
    server.cli("admin", "user", "disable", "--user", "portal-user")
    assert answer(s2, sp_request("_portal5")).status_code == 401
    federate = [json.loads(l) for l in server.cli("audit", "--event-name", "Federate").stdout.splitlines()]
    assert any(r.get("errorCode") == "NotAssigned" for r in federate), [(r.get("errorCode"), r.get("requestParameters")) for r in federate]
    assert sum(1 for r in federate if "errorCode" not in r) >= 3

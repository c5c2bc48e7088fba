"""The portal's sign-in over HTTPS (docs/sign-in.md): the guide's sign-in event sequences
("Understanding AWS SSO sign-in events": password only, password + TOTP, forced MFA
registration, failed password) compared field by field with the guide's examples; sessions
ended at once by disabling the user (SCIM active:false, `atrium admin user disable`); CSRF;
throttling of known and unknown users alike; sign-out; the landing page's accounts.

Interpreter: Debian's /usr/bin/python3 with python3-requests; TOTP codes from Debian's oathtool.
Passwords are given with `atrium admin user reset-password --one-time-password` and changed at
the first sign-in (the new-password step).
"""
import json
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

from conftest import make_server, new_user, scim_enabled

OATHTOOL = shutil.which("oathtool") or "/usr/bin/oathtool"
PASSWORD = "Portal-Test-Pass-42"
UA = "Mozilla/5.0 (X11; Linux x86_64) AtriumPortalTest/1.0"

# The guide's "Successful UserAuthentication (Password + TOTP)" example, as printed. Values
# that belong to one sign-in (times, ids, addresses, the account, the user) are compared with
# this sign-in's own; every field name and every constant value must be the same.
GUIDE_USER_AUTHENTICATION = {
    "eventVersion": "1.08",
    "userIdentity": {"type": "Unknown", "principalId": "111122223333", "arn": "",
                     "accountId": "111122223333", "accessKeyId": "", "userName": "user1"},
    "eventTime": "2020-12-08T20:40:27Z",
    "eventSource": "signin.amazonaws.com",
    "eventName": "UserAuthentication",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "203.0.113.0",
    "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
    "requestParameters": None,
    "responseElements": None,
    "additionalEventData": {"AuthWorkflowID": "303486b5-fce1-4d59-ba1d-eb3acb790729",
                            "LoginTo": "https://d-1234567890.awsapps.com/start/",
                            "CredentialType": "PASSWORD,TOTP"},
    "requestID": "c40a691f-eeb1-4352-b286-5e909f96f318",
    "eventID": "7a8c8725-db2f-488d-a43e-788dc6c73a4a",
    "readOnly": False,
    "eventType": "AwsServiceEvent",
    "managementEvent": True,
    "eventCategory": "Management",
    "recipientAccountId": "111122223333",
    "serviceEventDetails": {"UserAuthentication": "Success"},
}
PER_SIGN_IN = {"eventTime", "requestID", "eventID", "sourceIPAddress", "userAgent"}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_portal(tmp, extra=()):
    port = free_port()
    settings = [f"server.port={port}", f"portal.public_url=https://localhost:{port}/portal",
                "passwords.argon2_memory_kib=8192", "passwords.argon2_iterations=1", *extra]
    s = make_server(tmp, settings=settings)
    assert s.port == port
    return s


@pytest.fixture(scope="module")
def portal():
    with tempfile.TemporaryDirectory(prefix="atrium-portal-") as tmp:
        s = start_portal(tmp)
        yield s
        s.stop()


@pytest.fixture
def fresh_portal():
    with tempfile.TemporaryDirectory(prefix="atrium-portal-") as tmp:
        s = start_portal(tmp)
        yield s
        s.stop()


class Browser:
    """One browser: a requests session (cookies) speaking the contract's JSON."""

    def __init__(self, server, ua=UA):
        self.server = server
        self.s = requests.Session()
        self.s.verify = False
        self.s.headers["User-Agent"] = ua
        self.csrf = None

    def url(self, path):
        return f"https://127.0.0.1:{self.server.port}{path}"

    def post(self, path, body=None, csrf=True, headers=None):
        h = {"Content-Type": "application/json"}
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        return self.s.post(self.url(path), data=json.dumps(body or {}), headers=h, timeout=30, verify=False)

    def get(self, path):
        return self.s.get(self.url(path), timeout=30, verify=False)

    def step(self, step, body, expect=200):
        r = self.post("/portal/api/signin/" + step, body)
        assert r.status_code == expect, (step, r.status_code, r.text)
        out = r.json()
        if out.get("next") == "done":
            self.csrf = out["csrfToken"]
        return out

    def start(self, user_name):
        return self.step("start", {"userName": user_name})


def mfa_settings(server, *args):
    server.cli("admin", "mfa", "settings", *args)


def totp(secret, offset=0):
    args = [OATHTOOL, "--totp", "-b", secret]
    if offset:
        args += ["--now", time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(time.time() + offset))]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()


def user_with_password(server, name=None):
    """A user (with an e-mail address) whose password is PASSWORD: a one-time password from the
    CLI, changed at a first sign-in. Returns (user name, user id)."""
    name = name or "u" + uuid.uuid4().hex[:10]
    uid = new_user(server.client(), server.store_id, name, email=f"{name}@example.test")
    otp = json.loads(server.cli("admin", "user", "reset-password", "--user", name, "--one-time-password",
                                "--json").stdout)["OneTimePassword"]
    b = Browser(server)
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": otp})["next"] == "new-password"
    b.step("new-password", {"workflowId": wf, "newPassword": PASSWORD})
    return name, uid


def auth_id(workflow_id):
    """The AuthWorkflowID of the events: the workflowId's part before its sealed started sign-in."""
    return workflow_id.split(".", 1)[0]


def events(server, workflow_id):
    lines = (server.data_dir / "audit" / "events.jsonl").read_text().splitlines()
    out = [json.loads(x) for x in lines]
    return [e for e in out if e.get("eventSource") == "signin.amazonaws.com"
            and e["additionalEventData"].get("AuthWorkflowID") == auth_id(workflow_id)]


def assert_like_guide(e, name, user, credential_type, server, outcome="Success"):
    """Every field of the guide's example is there with the guide's constant values."""
    assert set(e) == set(GUIDE_USER_AUTHENTICATION), set(e) ^ set(GUIDE_USER_AUTHENTICATION)
    for k, v in GUIDE_USER_AUTHENTICATION.items():
        if k in PER_SIGN_IN or k in ("eventName", "userIdentity", "recipientAccountId", "additionalEventData",
                                     "serviceEventDetails"):
            continue
        assert e[k] == v, (k, e[k], v)
    account = e["recipientAccountId"]
    assert len(account) == 12 and account.isdigit()
    assert e["userIdentity"] == {"type": "Unknown", "principalId": account, "arn": "", "accountId": account,
                                 "accessKeyId": "", "userName": user}
    assert e["eventName"] == name
    assert e["serviceEventDetails"] == {name: outcome}
    assert e["additionalEventData"]["CredentialType"] == credential_type
    assert e["sourceIPAddress"] == "127.0.0.1"
    assert e["userAgent"] == UA
    assert e["eventTime"].endswith("Z") and len(e["eventTime"]) == 20
    uuid.UUID(e["eventID"])


def sequence(evs):
    return [(e["eventName"], e["additionalEventData"]["CredentialType"], e["serviceEventDetails"][e["eventName"]])
            for e in evs]


# ---- the guide's sequences ---------------------------------------------------------------------

def test_password_only(portal):
    mfa_settings(portal, "--mode", "disabled")
    name, uid = user_with_password(portal)
    b = Browser(portal)
    wf = b.start(name.upper())["workflowId"]
    done = b.step("password", {"workflowId": wf, "password": PASSWORD})
    assert done["next"] == "done" and done["redirect"] == "/portal/"
    assert sequence(events(portal, wf)) == [("CredentialChallenge", "PASSWORD", "Success"),
                                            ("CredentialVerification", "PASSWORD", "Success"),
                                            ("UserAuthentication", "PASSWORD", "Success")]
    ev = events(portal, wf)
    for e in ev:
        assert_like_guide(e, e["eventName"], name, "PASSWORD", portal)
    uuid.UUID(auth_id(wf))
    assert ev[0]["additionalEventData"] == {"AuthWorkflowID": auth_id(wf), "CredentialType": "PASSWORD"}
    assert ev[2]["additionalEventData"] == {"AuthWorkflowID": auth_id(wf),
                                            "LoginTo": f"https://localhost:{portal.port}/portal/",
                                            "CredentialType": "PASSWORD"}
    s = b.get("/portal/api/session").json()
    assert s["signedIn"] is True and s["user"]["id"] == uid and s["csrfToken"] == b.csrf
    # `atrium audit` finds them too (the database copy).
    out = portal.cli("audit", "--event-name", "UserAuthentication", "--principal", name).stdout.splitlines()
    assert any(json.loads(x)["additionalEventData"]["AuthWorkflowID"] == auth_id(wf) for x in out)


def test_failed_password_has_no_user_authentication(portal):
    mfa_settings(portal, "--mode", "disabled")
    name, _ = user_with_password(portal)
    b = Browser(portal)
    wf = b.start(name)["workflowId"]
    r = b.post("/portal/api/signin/password", {"workflowId": wf, "password": "Wrong-Pass-123"})
    assert r.status_code == 401 and r.json()["error"] == "InvalidCredentials"
    evs = events(portal, wf)
    assert sequence(evs) == [("CredentialChallenge", "PASSWORD", "Success"),
                             ("CredentialVerification", "PASSWORD", "Failure")]
    assert_like_guide(evs[1], "CredentialVerification", name, "PASSWORD", portal, "Failure")
    # An unknown user: the same steps, the same answer.
    u = Browser(portal)
    wf2 = u.start("nobody-" + uuid.uuid4().hex[:6])["workflowId"]
    r2 = u.post("/portal/api/signin/password", {"workflowId": wf2, "password": "Wrong-Pass-123"})
    assert (r2.status_code, r2.json()) == (r.status_code, r.json())
    assert events(portal, wf2)[1]["userIdentity"]["userName"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert b.get("/portal/api/session").json() == {"signedIn": False}


def test_forced_mfa_registration_then_password_and_totp(portal):
    mfa_settings(portal, "--mode", "context-aware", "--without-device", "require-registration")
    name, _ = user_with_password(portal)
    b = Browser(portal)
    wf = b.start(name)["workflowId"]
    reg = b.step("password", {"workflowId": wf, "password": PASSWORD})
    assert reg["next"] == "register-mfa" and "TOTP" in reg["types"]
    begin = b.step("register/totp/begin", {"workflowId": wf})
    assert begin["otpauthUri"].startswith("otpauth://totp/") and begin["qrSvg"].lstrip().startswith("<")
    done = b.step("register/totp/finish", {"workflowId": wf, "enrollmentId": begin["enrollmentId"],
                                           "code": totp(begin["secret"]), "name": "phone"})
    assert done["next"] == "done"
    evs = events(portal, wf)
    assert sequence(evs) == [("CredentialChallenge", "PASSWORD", "Success"),
                             ("CredentialVerification", "PASSWORD", "Success"),
                             ("UserAuthentication", "PASSWORD", "Success")]
    assert evs[2]["additionalEventData"]["DeviceEnrollmentRequired"] == "true"
    assert list(evs[2]["additionalEventData"]) == ["AuthWorkflowID", "LoginTo", "CredentialType",
                                                    "DeviceEnrollmentRequired"]

    # Password + TOTP (always-on: every sign-in is challenged), trusting nothing.
    mfa_settings(portal, "--mode", "always-on")
    b2 = Browser(portal)
    wf2 = b2.start(name)["workflowId"]
    m = b2.step("password", {"workflowId": wf2, "password": PASSWORD})
    assert m["next"] == "mfa" and m["methods"] == ["TOTP"]
    bad = b2.post("/portal/api/signin/mfa", {"workflowId": wf2, "type": "TOTP", "code": "12345"})
    assert bad.status_code == 400 and bad.json()["error"] == "InvalidRequest"  # not 6 digits
    done2 = b2.step("mfa", {"workflowId": wf2, "type": "TOTP", "code": totp(begin["secret"], 30),
                            "trustDevice": False})
    assert done2["next"] == "done"
    evs2 = events(portal, wf2)
    assert sequence(evs2) == [("CredentialChallenge", "PASSWORD", "Success"),
                              ("CredentialVerification", "PASSWORD", "Success"),
                              ("CredentialChallenge", "TOTP", "Success"),
                              ("CredentialVerification", "TOTP", "Success"),
                              ("UserAuthentication", "PASSWORD,TOTP", "Success")]
    assert_like_guide(evs2[4], "UserAuthentication", name, "PASSWORD,TOTP", portal)
    # The guide's TOTP challenge comes in the same request as the password's verification.
    assert evs2[1]["requestID"] == evs2[2]["requestID"]


def test_context_aware_trusted_device(portal):
    mfa_settings(portal, "--mode", "context-aware", "--without-device", "require-registration")
    name, _ = user_with_password(portal)
    b = Browser(portal)
    wf = b.start(name)["workflowId"]
    b.step("password", {"workflowId": wf, "password": PASSWORD})
    begin = b.step("register/totp/begin", {"workflowId": wf})
    b.step("register/totp/finish", {"workflowId": wf, "enrollmentId": begin["enrollmentId"],
                                    "code": totp(begin["secret"]), "name": "phone"})
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": PASSWORD})["next"] == "mfa"
    r = b.post("/portal/api/signin/mfa", {"workflowId": wf, "type": "TOTP", "code": totp(begin["secret"], 30),
                                          "trustDevice": True})
    assert r.status_code == 200, r.text
    cookie = [c for c in b.s.cookies if c.name == "atrium_device"]
    assert cookie and cookie[0].secure and cookie[0].path == "/portal"
    assert "HttpOnly" in r.headers["Set-Cookie"] and "SameSite=Strict" in r.headers["Set-Cookie"]
    # Same browser, same address: no MFA. Another browser (User-Agent): MFA again.
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": PASSWORD})["next"] == "done"
    b.s.headers["User-Agent"] = UA + " Other"
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": PASSWORD})["next"] == "mfa"


# ---- sessions ------------------------------------------------------------------------------

def signed_in(server):
    mfa_settings(server, "--mode", "disabled")
    name, uid = user_with_password(server)
    b = Browser(server)
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": PASSWORD})["next"] == "done"
    assert b.get("/portal/api/session").json()["signedIn"] is True
    return b, name, uid


def test_scim_active_false_ends_the_session_at_once(portal):
    b, name, uid = signed_in(portal)
    scim = scim_enabled(portal)
    r = scim.patch(f"/Users/{uid}", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                     "Operations": [{"op": "replace", "path": "active", "value": False}]})
    assert r.status_code == 200, r.text
    assert b.get("/portal/api/session").json() == {"signedIn": False}
    assert b.get("/portal/api/portal/accounts").status_code == 401
    # And no new sign-in: the same answer as a wrong password.
    b2 = Browser(portal)
    wf = b2.start(name)["workflowId"]
    r = b2.post("/portal/api/signin/password", {"workflowId": wf, "password": PASSWORD})
    assert r.status_code == 401 and r.json()["error"] == "InvalidCredentials"


def test_cli_disable_ends_the_session_at_once(portal):
    b, name, _ = signed_in(portal)
    portal.cli("admin", "user", "disable", "--user", name)
    assert b.get("/portal/api/session").json() == {"signedIn": False}


def test_identitystore_delete_ends_the_session(portal):
    b, _, uid = signed_in(portal)
    portal.client().delete_user(IdentityStoreId=portal.store_id, UserId=uid)
    assert b.get("/portal/api/session").json() == {"signedIn": False}


def test_csrf_is_required_on_state_changes(portal):
    b, _, _ = signed_in(portal)
    r = b.post("/portal/api/signout", csrf=False)
    assert r.status_code == 403 and r.json()["error"] == "CsrfFailed"
    r = b.post("/portal/api/signout", csrf=False, headers={"X-CSRF-Token": "x" * 43})
    assert r.status_code == 403
    assert b.get("/portal/api/session").json()["signedIn"] is True
    # Before a session: JSON only, and from the portal's origin.
    r = b.s.post(b.url("/portal/api/signin/start"), data="userName=x", verify=False,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415
    r = b.post("/portal/api/signin/start", {"userName": "x"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"] == "CsrfFailed"
    r = b.post("/portal/api/signin/start", {"userName": "x"},
               headers={"Origin": f"https://localhost:{portal.port}"})
    assert r.status_code == 200


def test_sign_out(portal):
    b, _, _ = signed_in(portal)
    token = b.s.cookies.get("atrium_session")
    r = b.post("/portal/api/signout")
    assert r.status_code == 200 and r.json() == {}
    assert "atrium_session=;" in r.headers["Set-Cookie"] and "Max-Age=0" in r.headers["Set-Cookie"]
    # The old cookie is worth nothing now.
    stale = requests.get(b.url("/portal/api/session"), cookies={"atrium_session": token}, verify=False)
    assert stale.json() == {"signedIn": False}


def test_input_limits(portal):
    b = Browser(portal)
    r = b.post("/portal/api/signin/start", {"userName": "x" * 129})
    assert r.status_code == 400 and r.json()["error"] == "InvalidRequest"
    r = b.post("/portal/api/signin/password", {"workflowId": "nope", "password": "x"})
    assert r.status_code == 400
    wf = b.start("someone")["workflowId"]
    r = b.post("/portal/api/signin/password", {"workflowId": wf, "password": "x" * 1025})
    assert r.status_code == 400


def test_landing_page_and_static_files(portal):
    r = requests.get(f"https://127.0.0.1:{portal.port}/", verify=False, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/portal/"
    r = requests.get(f"https://127.0.0.1:{portal.port}/portal/signin", verify=False)
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'; img-src 'self' data:")
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Referrer-Policy"] == "no-referrer"
    r = requests.get(f"https://127.0.0.1:{portal.port}/portal/..%2f..%2fetc%2fpasswd", verify=False)
    assert "root:" not in r.text
    b, _, _ = signed_in(portal)
    r = b.get("/portal/api/portal/accounts")
    assert r.status_code == 200 and r.json() == {"accounts": [], "applications": []}


# ---- throttling -----------------------------------------------------------------------------

def test_repeated_failures_get_429_with_retry_after_for_known_and_unknown_users(fresh_portal):
    mfa_settings(fresh_portal, "--mode", "disabled")
    name, _ = user_with_password(fresh_portal)
    for user in (name, "ghost-" + uuid.uuid4().hex[:6]):
        b = Browser(fresh_portal)
        wf = b.start(user)["workflowId"]
        codes = [b.post("/portal/api/signin/password", {"workflowId": wf, "password": "Bad-Guess-000"}).status_code
                 for _ in range(5)]
        assert codes == [401] * 5, codes
        r = b.post("/portal/api/signin/password", {"workflowId": wf, "password": PASSWORD})
        assert r.status_code == 429 and r.json()["error"] == "TooManyAttempts", (user, r.text)
        assert int(r.headers["Retry-After"]) >= 1
    time.sleep(1.2)
    b = Browser(fresh_portal)
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": PASSWORD})["next"] == "done"


def test_a_locked_address_is_refused_at_start_as_at_the_password_step():
    """start is anonymous: a locked source address gets the password step's 429 there too,
    before any token is sealed (security review of the sign-in change)."""
    with tempfile.TemporaryDirectory(prefix="atrium-portal-") as tmp:
        s = start_portal(tmp, ["portal.address_failures=3", "portal.first_lockout_seconds=600"])
        try:
            mfa_settings(s, "--mode", "disabled")
            b = Browser(s)
            early = b.start("ghost-" + uuid.uuid4().hex[:6])["workflowId"]  # started before the lock
            for _ in range(3):
                wf = Browser(s).start("ghost-" + uuid.uuid4().hex[:6])["workflowId"]
                r = Browser(s).post("/portal/api/signin/password", {"workflowId": wf, "password": "Bad-Guess-000"})
                assert r.status_code == 401, r.text
            at_password = b.post("/portal/api/signin/password", {"workflowId": early, "password": PASSWORD})
            at_start = Browser(s).post("/portal/api/signin/start", {"userName": "anyone"})
            for r in (at_password, at_start):
                assert r.status_code == 429 and r.json()["error"] == "TooManyAttempts", r.text
                assert int(r.headers["Retry-After"]) >= 1
                assert "workflowId" not in r.json()
            assert sorted(at_start.json()) == sorted(at_password.json())
        finally:
            s.stop()

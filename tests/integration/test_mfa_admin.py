"""MFA administration and authenticator apps end to end (docs/sign-in.md "MFA"): `atrium admin
mfa settings` (print, change, refuse bad values, audited), a user's device registered at the
forced registration of the portal's sign-in, listed, renamed and deleted by `atrium admin mfa
devices` (audited), and a TOTP code refused the second time (RFC 6238 §5.2 replay).

Interpreter: Debian's /usr/bin/python3 with python3-requests; TOTP codes from Debian's oathtool.
Reuses the portal tests' helpers (a real server with portal.public_url, a Browser speaking the
portal's JSON).
"""
import json
import tempfile
import uuid

import pytest

from conftest import new_user
from test_portal_signin import PASSWORD, Browser, start_portal, totp


@pytest.fixture
def portal_server():
    with tempfile.TemporaryDirectory(prefix="atrium-mfa-") as tmp:
        s = start_portal(tmp)
        yield s
        s.stop()


def settings(server, *args, check=True):
    return server.cli("admin", "mfa", "settings", "--json", *args, check=check)


def devices(server, user):
    return json.loads(server.cli("admin", "mfa", "devices", "list", "--user", user, "--json").stdout)["Devices"]


def audit(server, event):
    out = server.cli("audit", "--event-name", event).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_settings_print_change_and_refuse(portal_server):
    s = portal_server
    assert json.loads(settings(s).stdout) == {"Mode": "context-aware", "Types": ["totp", "webauthn"],
                                              "WithoutDevice": "require-registration", "UsersManageDevices": True}
    changed = json.loads(settings(s, "--mode", "always-on", "--types", "webauthn", "--without-device", "email-code",
                                  "--users-manage-devices", "false").stdout)
    assert changed == {"Mode": "always-on", "Types": ["webauthn"], "WithoutDevice": "email-code",
                       "UsersManageDevices": False}
    assert json.loads(settings(s).stdout) == changed
    for bad in (["--mode", "sometimes"], ["--types", "sms"], ["--without-device", "maybe"],
                ["--users-manage-devices", "yes"]):
        r = settings(s, *bad, check=False)
        assert r.returncode == 1 and "error:" in r.stderr, bad
    assert json.loads(settings(s).stdout) == changed
    recs = audit(s, "PutMfaDeviceManagementForDirectory")
    ok = [r for r in recs if "errorCode" not in r]
    assert len(ok) == 1 and ok[0]["eventSource"] == "sso.amazonaws.com"
    assert ok[0]["requestParameters"]["withoutDevice"] == "email-code"
    assert len(recs) - len(ok) == 4


def registered_user(server):
    """A user who set a password and registered an authenticator app named "phone" at the
    forced registration; returns (name, base32 secret)."""
    name = "m" + uuid.uuid4().hex[:10]
    new_user(server.client(), server.store_id, name, email=f"{name}@example.test")
    otp = json.loads(server.cli("admin", "user", "reset-password", "--user", name, "--one-time-password",
                                "--json").stdout)["OneTimePassword"]
    b = Browser(server)
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": otp})["next"] == "new-password"
    assert b.step("new-password", {"workflowId": wf, "newPassword": PASSWORD})["next"] == "register-mfa"
    begin = b.step("register/totp/begin", {"workflowId": wf})
    assert len(begin["secret"]) == 32 and begin["qrSvg"].startswith("<svg")
    done = b.step("register/totp/finish", {"workflowId": wf, "enrollmentId": begin["enrollmentId"],
                                           "code": totp(begin["secret"]), "name": "phone"})
    assert done["next"] == "done"
    return name, begin["secret"]


def test_admin_lists_renames_and_deletes_a_users_device(portal_server):
    s = portal_server
    name, secret = registered_user(s)
    devs = devices(s, name)
    assert [(d["Type"], d["Name"]) for d in devs] == [("TOTP", "phone")]
    s.cli("admin", "mfa", "devices", "rename", "--user", name, "--device", "phone", "--name", "Work phone")
    assert devices(s, name)[0]["Name"] == "Work phone"
    r = s.cli("admin", "mfa", "devices", "delete", "--user", name, "--device", "no-such-device", check=False)
    assert r.returncode == 1
    s.cli("admin", "mfa", "devices", "delete", "--user", name, "--device", devs[0]["DeviceId"])
    assert devices(s, name) == []
    assert s.cli("admin", "mfa", "devices", "list", "--user", "nobody-" + name, check=False).returncode == 1
    assert [r["eventSource"] for r in audit(s, "UpdateMfaDeviceForUser")] == ["sso-directory.amazonaws.com"]
    assert len([r for r in audit(s, "DeleteMfaDeviceForUser") if "errorCode" not in r]) == 1
    assert len(audit(s, "CompleteVirtualMfaDeviceRegistration")) == 1
    # No record carries the secret.
    assert secret not in s.cli("audit").stdout and secret.lower() not in s.cli("audit").stdout


def test_a_totp_code_is_accepted_once(portal_server):
    s = portal_server
    name, secret = registered_user(s)
    code = totp(secret, 30)  # the next step: the registration code's step is already used
    b = Browser(s)
    wf = b.start(name)["workflowId"]
    assert b.step("password", {"workflowId": wf, "password": PASSWORD})["next"] == "mfa"
    assert b.step("mfa", {"workflowId": wf, "type": "TOTP", "code": code, "trustDevice": False})["next"] == "done"
    b2 = Browser(s)
    wf2 = b2.start(name)["workflowId"]
    assert b2.step("password", {"workflowId": wf2, "password": PASSWORD})["next"] == "mfa"
    r = b2.post("/portal/api/signin/mfa", {"workflowId": wf2, "type": "TOTP", "code": code, "trustDevice": False})
    assert r.status_code == 401 and r.json()["error"] == "InvalidCredentials"

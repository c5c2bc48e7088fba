"""Console access (issue 14 item 1, docs/admin-console.md "Who gets in"): the first start's
console administrator, `atrium admin console-access grant|revoke|list` by user and group name
with a managed policy or a policy file, and the audit trail read back through CloudTrail's
LookupEvents with Debian's boto3.

Interpreter: Debian's /usr/bin/python3 (python3-boto3, python3-pytest).
"""
import json
import re
import tempfile

import boto3
import botocore.config

from conftest import REGION, Server, new_user


def cloudtrail(server, key_id, secret):
    return boto3.client("cloudtrail", region_name=REGION, endpoint_url=server.endpoint, verify=False,
                        aws_access_key_id=key_id, aws_secret_access_key=secret,
                        config=botocore.config.Config(retries={"max_attempts": 1}))


def test_first_start_makes_the_console_administrator():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = Server(tmp, settings=["console.bootstrap_admin=root"])
        s.start()
        try:
            # The bootstrap is printed (and flushed) before the port file is written.
            out = (s.data_dir / "server.out").read_text()
            assert "one-time password:" in out
            assert "/portal/console/" in out
            assert re.search(r"user name:\s+root", out)
            key_id = re.search(r"AWS_ACCESS_KEY_ID=(\S+)", out).group(1)
            secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", out).group(1)
            grants = json.loads(s.cli("admin", "console-access", "list", "--json").stdout)["ConsoleAccess"]
            assert [(g["PrincipalType"], g["PolicyName"]) for g in grants] == [("USER", "AdministratorAccess")]
            events = cloudtrail(s, key_id, secret).lookup_events(
                LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GrantConsoleAccess"}])["Events"]
            assert len(events) == 1
            record = json.loads(events[0]["CloudTrailEvent"])
            assert record["eventSource"] == "sso.amazonaws.com"
            assert record["responseElements"]["PolicyName"] == "AdministratorAccess"
        finally:
            assert s.stop() == 0
        # A second start makes nobody new and prints no password.
        s.start()
        try:
            assert (s.data_dir / "server.out").read_text().count("one-time password:") == 1
        finally:
            assert s.stop() == 0


def test_grant_list_revoke_by_name_with_a_policy_file(server, tmp_path):
    ids = server.client()
    user_id = new_user(ids, server.store_id, "helpdesk-ann")
    group_id = ids.create_group(IdentityStoreId=server.store_id, DisplayName="Helpdesk")["GroupId"]
    policy = tmp_path / "read-users.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["identitystore:List*", "identitystore:Describe*"], "Resource": "*"}]}))

    server.cli("admin", "console-access", "grant", "--group", "Helpdesk", "--policy", str(policy))
    server.cli("admin", "console-access", "grant", "--user", "helpdesk-ann", "--policy", "AWSSSOReadOnly")
    listed = json.loads(server.cli("admin", "console-access", "list", "--json").stdout)["ConsoleAccess"]
    mine = {(g["PrincipalType"], g["PrincipalId"], g["PolicyName"], g["Inline"]) for g in listed}
    assert ("GROUP", group_id, "read-users", True) in mine
    assert ("USER", user_id, "AWSSSOReadOnly", False) in mine

    again = server.cli("admin", "console-access", "grant", "--user", user_id, "--policy", "AWSSSOReadOnly", check=False)
    assert again.returncode != 0 and "already has a console policy" in again.stderr
    unknown = server.cli("admin", "console-access", "grant", "--user", "nobody-here", "--policy", "AdministratorAccess",
                         check=False)
    assert unknown.returncode != 0

    server.cli("admin", "console-access", "revoke", "--group", group_id, "--policy", "read-users")
    of_group = json.loads(server.cli("admin", "console-access", "list", "--group", "Helpdesk", "--json").stdout)
    assert of_group["ConsoleAccess"] == []
    events = cloudtrail(server, server.key["AccessKeyId"], server.key["SecretAccessKey"]).lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "RevokeConsoleAccess"}])["Events"]
    assert len(events) == 1


def test_portal_session_duration_from_the_command_line(fresh_server):
    """`atrium admin portal-session` (docs/admin-console.md "Session duration"): the
    configuration's 8 hours until one is stored; 15 minutes to 90 days; audited."""
    s = fresh_server
    shown = json.loads(s.cli("admin", "portal-session", "--json").stdout)
    assert shown == {"SessionDurationMinutes": 480, "Default": True}
    for bad in ("14m", "91d", "8x", "-5"):
        r = s.cli("admin", "portal-session", "--duration", bad, check=False)
        assert r.returncode != 0, bad
    assert json.loads(s.cli("admin", "portal-session", "--json").stdout)["Default"] is True
    set_ = json.loads(s.cli("admin", "portal-session", "--duration", "12h", "--json").stdout)
    assert set_ == {"SessionDurationMinutes": 720, "Default": False}
    assert json.loads(s.cli("admin", "portal-session", "--duration", "90d", "--json").stdout)["SessionDurationMinutes"] == 129600
    assert "129600 minutes" in s.cli("admin", "portal-session").stdout
    records = [json.loads(l) for l in s.cli("audit", "--event-name", "UpdatePortalSessionSettings").stdout.splitlines() if l.strip()]
    assert [r["requestParameters"]["sessionDurationMinutes"] for r in records if r.get("errorCode") is None][:2] == [129600, 720]

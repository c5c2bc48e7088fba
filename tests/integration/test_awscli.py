"""The unmodified AWS CLI v2 (Debian's /usr/bin/aws) drives all 19 identitystore operations."""
import json
import os
import subprocess
import uuid

import pytest

AWS = "/usr/bin/aws"


def aws(server, *args, key=None, expect_error=None):
    key = key or server.key
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"], AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    cmd = [AWS, "identitystore", *args, "--endpoint-url", server.endpoint, "--region", "us-east-1",
           "--no-verify-ssl", "--output", "json"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if expect_error:
        assert r.returncode != 0, r.stdout
        assert expect_error in r.stderr, r.stderr
        return r.stderr
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else {}


@pytest.fixture(scope="module", autouse=True)
def require_cli():
    if not os.path.exists(AWS):
        pytest.fail("Debian awscli (/usr/bin/aws) is missing: run scripts/install-deps")
    out = subprocess.run([AWS, "--version"], capture_output=True, text=True).stdout
    assert out.startswith("aws-cli/2."), out


def test_all_operations_through_the_cli(server):
    sid = server.store_id
    s = ["--identity-store-id", sid]
    name = "cli-" + uuid.uuid4().hex[:8]
    uid = aws(server, "create-user", *s, "--user-name", name, "--display-name", "Cli User",
              "--name", "GivenName=Cli,FamilyName=User",
              "--emails", f"Value={name}@example.com,Type=work,Primary=true")["UserId"]
    u = aws(server, "describe-user", *s, "--user-id", uid)
    assert u["UserName"] == name and u["Emails"][0]["Primary"] is True
    aws(server, "update-user", *s, "--user-id", uid, "--operations",
        json.dumps([{"AttributePath": "nickName", "AttributeValue": "cli"}]))
    assert aws(server, "describe-user", *s, "--user-id", uid)["NickName"] == "cli"
    users = aws(server, "list-users", *s)["Users"]  # the CLI paginates by itself
    assert uid in [x["UserId"] for x in users]
    got = aws(server, "get-user-id", *s, "--alternate-identifier",
              json.dumps({"UniqueAttribute": {"AttributePath": "userName", "AttributeValue": name}}))
    assert got["UserId"] == uid

    gname = "cli-group-" + uuid.uuid4().hex[:8]
    gid = aws(server, "create-group", *s, "--display-name", gname, "--description", "From CLI")["GroupId"]
    assert aws(server, "describe-group", *s, "--group-id", gid)["Description"] == "From CLI"
    aws(server, "update-group", *s, "--group-id", gid, "--operations",
        json.dumps([{"AttributePath": "description", "AttributeValue": "Changed"}]))
    assert gid in [g["GroupId"] for g in aws(server, "list-groups", *s)["Groups"]]
    assert aws(server, "get-group-id", *s, "--alternate-identifier",
               json.dumps({"UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": gname}}))["GroupId"] == gid

    mid = aws(server, "create-group-membership", *s, "--group-id", gid, "--member-id", f"UserId={uid}")["MembershipId"]
    assert aws(server, "describe-group-membership", *s, "--membership-id", mid)["GroupId"] == gid
    assert aws(server, "get-group-membership-id", *s, "--group-id", gid,
               "--member-id", f"UserId={uid}")["MembershipId"] == mid
    assert [m["MembershipId"] for m in aws(server, "list-group-memberships", *s, "--group-id", gid)["GroupMemberships"]] == [mid]
    assert [m["GroupId"] for m in aws(server, "list-group-memberships-for-member", *s,
                                        "--member-id", f"UserId={uid}")["GroupMemberships"]] == [gid]
    res = aws(server, "is-member-in-groups", *s, "--member-id", f"UserId={uid}", "--group-ids", gid)
    assert res["Results"][0]["MembershipExists"] is True
    aws(server, "delete-group-membership", *s, "--membership-id", mid)
    aws(server, "delete-group", *s, "--group-id", gid)
    aws(server, "delete-user", *s, "--user-id", uid)
    aws(server, "describe-user", *s, "--user-id", uid, expect_error="ResourceNotFoundException")


def test_cli_error_paths(server):
    s = ["--identity-store-id", server.store_id]
    name = "cli-dup-" + uuid.uuid4().hex[:8]
    args = ["create-user", *s, "--user-name", name, "--display-name", "D", "--name", "GivenName=G,FamilyName=F"]
    aws(server, *args)
    aws(server, *args, expect_error="ConflictException")
    aws(server, "create-user", *s, "--user-name", "no-names", "--display-name", "D",
        expect_error="ValidationException")
    bad = dict(server.key, SecretAccessKey="wrong-secret-wrong-secret-wrong-secret00")
    aws(server, "list-users", *s, key=bad, expect_error="InvalidSignatureException")
    unknown = {"AccessKeyId": "AKIAAAAAAAAAAAAAAAAA", "SecretAccessKey": "x" * 40}
    aws(server, "list-users", *s, key=unknown, expect_error="UnrecognizedClientException")

"""SCIM bearer tokens and automatic provisioning: `atrium admin scim …` and the AtriumAdmin API.

Modelled on the service's guide ("Automatic provisioning", "Rotate an access token"): enabling
provisioning shows the endpoint and a token once; at most two tokens exist at a time; each is
valid one year and reminders start 90 days before expiry; disabling is refused while tokens
exist; a deleted or expired token stops working at once; the token is never written to a log,
the audit trail or the database.
"""
import datetime
import json
import subprocess
import tempfile
import time

import pytest
import requests

from conftest import make_server
from scim_client import (ERROR_URN, admin_call, assert_error, audit, client_for, scim_audit,
                         scim_base, scim_cli, uniq, user_body)

pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

YEAR = datetime.timedelta(days=365)


def iso(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def works(server, token):
    r = client_for(server, token).get("Users", params={"count": 1})
    if r.status_code == 401:
        assert r.headers["WWW-Authenticate"].lower().startswith("bearer")
        assert r.json()["schemas"] == [ERROR_URN] and r.json()["status"] == "401"
        return False
    assert r.status_code == 200, r.text
    return True


def tokens_listed(server):
    code, out, err = scim_cli(server, "list-tokens")
    assert code == 0, err
    return {t["TokenId"]: t for t in out["AccessTokens"]}


@pytest.fixture
def fresh():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = make_server(tmp)
        yield s
        if s.proc is not None:
            assert s.stop() == 0


# ---- CLI -------------------------------------------------------------------------------------


def test_enable_prints_endpoint_and_a_token_that_works_at_once(fresh):
    code, out, _ = scim_cli(fresh, "status")
    assert code == 0 and out["Enabled"] is False and out["AccessTokens"] == []
    assert not works(fresh, "scimtok-0000000000000000.not-a-secret")
    before = datetime.datetime.now(datetime.timezone.utc)
    code, tok, err = scim_cli(fresh, "enable")
    assert code == 0, err
    assert set(tok) == {"AccessToken", "TokenId", "ScimEndpoint", "CreatedAt", "ExpiresAt", "DaysLeft",
                        "ExpiresSoon", "LastUsedAt"}
    assert tok["TokenId"].startswith("scimtok-")
    assert tok["AccessToken"].startswith(tok["TokenId"] + ".")
    assert len(tok["AccessToken"]) > len(tok["TokenId"]) + 32, "the secret part is long"
    assert tok["ScimEndpoint"].endswith("/scim/v2")
    created, expires = iso(tok["CreatedAt"]), iso(tok["ExpiresAt"])
    assert abs((created - before).total_seconds()) < 60
    assert expires - created == YEAR, "valid one year"
    assert tok["DaysLeft"] in (364, 365) and tok["ExpiresSoon"] is False and tok["LastUsedAt"] is None
    assert works(fresh, tok["AccessToken"])
    code, out, _ = scim_cli(fresh, "status")
    assert out["Enabled"] is True and [t["TokenId"] for t in out["AccessTokens"]] == [tok["TokenId"]]
    secret = tok["AccessToken"].split(".", 1)[1]
    for cmd in ("status", "list-tokens"):
        r = fresh.cli("admin", "scim", cmd)
        assert tok["TokenId"] in r.stdout and secret not in r.stdout + r.stderr, "shown once, at creation"
        r = fresh.cli("admin", "scim", cmd, "--json")
        assert secret not in r.stdout and "AccessToken\"" not in r.stdout.replace("AccessTokens\"", "")
    code, out, err = scim_cli(fresh, "enable", check=False)
    assert code != 0 and "already" in err.lower()
    assert list(tokens_listed(fresh)) == [tok["TokenId"]]


def test_two_tokens_at_most_and_disable_refused_while_tokens_exist(fresh):
    first = scim_cli(fresh, "enable")[1]
    code, second, err = scim_cli(fresh, "create-token")
    assert code == 0, err
    assert second["TokenId"] != first["TokenId"] and second["AccessToken"] != first["AccessToken"]
    assert works(fresh, first["AccessToken"]) and works(fresh, second["AccessToken"])
    code, out, err = scim_cli(fresh, "create-token", check=False)
    assert code != 0 and "2" in err, err
    assert set(tokens_listed(fresh)) == {first["TokenId"], second["TokenId"]}
    code, _, err = scim_cli(fresh, "disable", check=False)
    assert code != 0 and "token" in err.lower()
    assert scim_cli(fresh, "status")[1]["Enabled"] is True
    assert works(fresh, first["AccessToken"])
    code, out, err = scim_cli(fresh, "delete-token", "--token-id", first["TokenId"])
    assert code == 0, err
    assert not works(fresh, first["AccessToken"]), "a deleted token is refused at once"
    assert works(fresh, second["AccessToken"])
    code, third, err = scim_cli(fresh, "create-token")
    assert code == 0 and works(fresh, third["AccessToken"]), "a freed slot can be used again"
    for t in (second, third):
        assert scim_cli(fresh, "delete-token", "--token-id", t["TokenId"])[0] == 0
        assert not works(fresh, t["AccessToken"])
    code, _, err = scim_cli(fresh, "delete-token", "--token-id", third["TokenId"], check=False)
    assert code != 0 and "not found" in err.lower()
    code, _, err = scim_cli(fresh, "disable")
    assert code == 0, err
    status = scim_cli(fresh, "status")[1]
    assert status["Enabled"] is False and status["AccessTokens"] == []
    code, _, err = scim_cli(fresh, "create-token", check=False)
    assert code != 0 and "enable" in err.lower()
    code, _, err = scim_cli(fresh, "disable", check=False)
    assert code != 0
    again = scim_cli(fresh, "enable")[1]
    assert works(fresh, again["AccessToken"]) and not works(fresh, first["AccessToken"])


def test_rotate_token(fresh):
    old = scim_cli(fresh, "enable")[1]
    code, new, err = scim_cli(fresh, "rotate-token", "--token-id", old["TokenId"])
    assert code == 0, err
    assert new["TokenId"] != old["TokenId"] and new["AccessToken"].startswith(new["TokenId"] + ".")
    assert iso(new["ExpiresAt"]) - iso(new["CreatedAt"]) == YEAR
    assert works(fresh, old["AccessToken"]) and works(fresh, new["AccessToken"]), "both work until the old is deleted"
    code, _, err = scim_cli(fresh, "rotate-token", "--token-id", old["TokenId"], check=False)
    assert code != 0, "no third token, even by rotation"
    assert scim_cli(fresh, "delete-token", "--token-id", old["TokenId"])[0] == 0
    assert not works(fresh, old["AccessToken"]) and works(fresh, new["AccessToken"])
    code, _, err = scim_cli(fresh, "rotate-token", "--token-id", old["TokenId"], check=False)
    assert code != 0 and old["TokenId"] in err, "rotating a token that does not exist"
    assert set(tokens_listed(fresh)) == {new["TokenId"]}


def test_deleted_token_is_refused_on_an_open_connection(fresh):
    a = scim_cli(fresh, "enable")[1]
    b = scim_cli(fresh, "create-token")[1]
    c = client_for(fresh, a["AccessToken"])
    assert c.get("Users").status_code == 200  # the connection is now open (keep-alive)
    scim_cli(fresh, "delete-token", "--token-id", a["TokenId"])
    r = c.get("Users")
    assert_error(r, 401)
    assert r.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert "Users" not in r.text or "Resources" not in r.json()
    assert works(fresh, b["AccessToken"])


def test_unauthenticated_requests_are_401_with_www_authenticate(fresh):
    tok = scim_cli(fresh, "enable")[1]
    token, tid = tok["AccessToken"], tok["TokenId"]
    secret = token.split(".", 1)[1]
    other = scim_cli(fresh, "create-token")[1]
    url = scim_base(fresh) + "/Users"
    bad = [None, "Bearer", "Bearer ", "Bearer garbage", f"Basic {token}", token,
           f"Bearer {tid}.{secret[:-1]}", f"Bearer {token}x", f"Bearer {tid}", f"Bearer .{secret}",
           f"Bearer {other['TokenId']}.{secret}", f"Bearer scimtok-ffffffffffffffff.{secret}",
           f"Bearer {token}" + "A" * 300, f"Token {token}"]
    details = set()
    for h in bad:
        headers = {"Authorization": h} if h is not None else {}
        r = requests.get(url, headers=headers, verify=False, timeout=30)
        assert r.status_code == 401, (h, r.status_code, r.text)
        details.add(r.json()["detail"])
        assert r.headers.get("WWW-Authenticate", "").lower().startswith("bearer"), h
        body = r.json()
        assert body["schemas"] == [ERROR_URN] and body["status"] == "401"
        assert secret not in r.text
    assert len(details) == 1, f"one message for every failure (no hint whether an id exists): {details}"
    # Writes are refused before anything is stored.
    name = uniq("unauth")
    r = requests.post(url, data=json.dumps(user_body(name)), verify=False, timeout=30,
                      headers={"Authorization": f"Bearer {tid}.wrong", "Content-Type": "application/scim+json"})
    assert r.status_code == 401
    c = client_for(fresh, token)
    assert c.get("Users", params={"filter": f'userName eq "{name}"'}).json()["totalResults"] == 0
    # RFC 6750 / RFC 7235: the scheme name is case-insensitive.
    r = requests.get(url, headers={"Authorization": f"bearer {token}"}, verify=False, timeout=30)
    assert r.status_code == 200
    recs = scim_audit(fresh, until=lambda rs: sum(x.get("errorCode") == "UnauthorizedException"
                                                  for x in rs) >= len(bad) + 1)
    failures = [x for x in recs if x.get("errorCode") == "UnauthorizedException"]
    assert len(failures) >= len(bad) + 1
    assert all(x["userIdentity"].get("accessKeyId") in (None, "") for x in failures), \
        "an unauthenticated call is not attributed to a token"


def test_expired_token_is_refused_and_expiry_is_reported(fresh):
    a = scim_cli(fresh, "enable")[1]
    b = scim_cli(fresh, "create-token")[1]
    now_ms = int(time.time() * 1000)
    soon_ms = now_ms + 30 * 86400 * 1000 - 3600 * 1000  # 29 days 23 hours: 30 whole days, rounded up
    fresh.sql(f"UPDATE scim_tokens SET expires_at = {now_ms - 1000} WHERE id = '{a['TokenId']}';"
              f"UPDATE scim_tokens SET expires_at = {soon_ms} WHERE id = '{b['TokenId']}';")
    assert not works(fresh, a["AccessToken"]), "an expired token is refused"
    assert works(fresh, b["AccessToken"])
    listed = tokens_listed(fresh)
    assert listed[a["TokenId"]]["ExpiresSoon"] is True and listed[a["TokenId"]]["DaysLeft"] <= 0
    assert listed[b["TokenId"]]["ExpiresSoon"] is True and listed[b["TokenId"]]["DaysLeft"] == 30
    text = fresh.cli("admin", "scim", "list-tokens").stdout
    assert "WARNING" in text and b["TokenId"] in text
    status, out = admin_call(fresh, "ListScimAccessTokens")
    assert status == 200
    by_id = {t["TokenId"]: t for t in out["AccessTokens"]}
    assert by_id[b["TokenId"]]["ExpiresSoon"] is True


def test_last_used_is_recorded(fresh):
    a = scim_cli(fresh, "enable")[1]
    b = scim_cli(fresh, "create-token")[1]
    listed = tokens_listed(fresh)
    assert listed[a["TokenId"]]["LastUsedAt"] is None
    # A refused attempt with the right id but a wrong secret is not a use.
    requests.get(scim_base(fresh) + "/Users", headers={"Authorization": f"Bearer {a['TokenId']}.wrong"},
                 verify=False, timeout=30)
    time.sleep(0.3)
    assert tokens_listed(fresh)[a["TokenId"]]["LastUsedAt"] is None
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2)
    assert works(fresh, a["AccessToken"])
    deadline = time.time() + 5
    while time.time() < deadline:
        listed = tokens_listed(fresh)
        if listed[a["TokenId"]]["LastUsedAt"]:
            break
        time.sleep(0.1)
    used = listed[a["TokenId"]]["LastUsedAt"]
    assert used, "last use is recorded"
    assert before <= iso(used) <= datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    assert listed[b["TokenId"]]["LastUsedAt"] is None, "only the token that was used"
    status, out = admin_call(fresh, "ListScimAccessTokens")
    by_id = {t["TokenId"]: t for t in out["AccessTokens"]}
    assert abs(by_id[a["TokenId"]]["LastUsedAt"] - iso(used).timestamp()) < 1
    assert "LastUsedAt" not in by_id[b["TokenId"]] or by_id[b["TokenId"]]["LastUsedAt"] is None


# ---- AtriumAdmin JSON API (SigV4) ---------------------------------------------------------------


def test_admin_api_lifecycle(fresh):
    status, out = admin_call(fresh, "DescribeAutomaticProvisioning")
    assert status == 200 and out["Enabled"] is False and out["AccessTokens"] == []
    assert out["ScimEndpoint"] == f"https://localhost:{fresh.port}/scim/v2" or \
        out["ScimEndpoint"].endswith(f":{fresh.port}/scim/v2")
    status, first = admin_call(fresh, "EnableAutomaticProvisioning")
    assert status == 200, first
    assert first["AccessToken"].startswith(first["TokenId"] + ".")
    assert first["ScimEndpoint"].endswith(f":{fresh.port}/scim/v2")
    assert first["ExpiresAt"] - first["CreatedAt"] == pytest.approx(365 * 86400, abs=1)
    assert abs(first["CreatedAt"] - time.time()) < 60 and first["ExpiresSoon"] is False
    assert works(fresh, first["AccessToken"])
    status, out = admin_call(fresh, "EnableAutomaticProvisioning")
    assert status == 400 and "Conflict" in out["__type"], out
    status, second = admin_call(fresh, "CreateScimAccessToken", service="identitystore")
    assert status == 200 and works(fresh, second["AccessToken"])
    status, out = admin_call(fresh, "CreateScimAccessToken")
    assert status == 400 and out["__type"] in ("ServiceQuotaExceededException", "LimitExceededException"), out
    status, out = admin_call(fresh, "ListScimAccessTokens")
    assert status == 200
    assert {t["TokenId"] for t in out["AccessTokens"]} == {first["TokenId"], second["TokenId"]}
    assert "AccessToken" not in json.dumps(out).replace("AccessTokens", "")
    status, out = admin_call(fresh, "DisableAutomaticProvisioning")
    assert status == 400 and "Conflict" in out["__type"], out
    status, out = admin_call(fresh, "DeleteScimAccessToken", {"TokenId": first["TokenId"]})
    assert status == 200, out
    assert not works(fresh, first["AccessToken"])
    status, out = admin_call(fresh, "DeleteScimAccessToken", {"TokenId": first["TokenId"]})
    assert status == 400 and out["__type"] == "ResourceNotFoundException", out
    status, out = admin_call(fresh, "DeleteScimAccessToken", {})
    assert status == 400 and out["__type"] == "ValidationException", out
    status, out = admin_call(fresh, "DeleteScimAccessToken", {"TokenId": second["TokenId"], "Extra": 1})
    assert status == 400 and out["__type"] == "ValidationException", out
    assert works(fresh, second["AccessToken"])
    assert admin_call(fresh, "DeleteScimAccessToken", {"TokenId": second["TokenId"]})[0] == 200
    status, out = admin_call(fresh, "DisableAutomaticProvisioning")
    assert status == 200, out
    status, out = admin_call(fresh, "DescribeAutomaticProvisioning")
    assert out["Enabled"] is False and out["AccessTokens"] == []
    status, out = admin_call(fresh, "CreateScimAccessToken")
    assert status == 400 and "Conflict" in out["__type"], out
    status, out = admin_call(fresh, "NoSuchOperation")
    assert status == 400 and out["__type"] in ("UnknownOperationException", "InvalidActionException"), out
    # The CLI sees what the API did (one store).
    assert scim_cli(fresh, "status")[1]["Enabled"] is False


def test_admin_api_needs_a_signed_writable_key(fresh):
    r = requests.post(fresh.endpoint + "/", data="{}", verify=False, timeout=30, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AtriumAdmin.EnableAutomaticProvisioning"})
    assert r.status_code in (400, 403) and r.json()["__type"] == "MissingAuthenticationTokenException"
    ro = fresh.create_key(user="auditor", read_only=True)
    status, out = admin_call(fresh, "EnableAutomaticProvisioning", key=ro)
    assert status == 400 and out["__type"] == "AccessDeniedException", out
    assert admin_call(fresh, "DescribeAutomaticProvisioning", key=ro)[1]["Enabled"] is False
    admin_call(fresh, "EnableAutomaticProvisioning")
    for op, body in (("CreateScimAccessToken", {}), ("DisableAutomaticProvisioning", {}),
                     ("DeleteScimAccessToken", {"TokenId": "scimtok-0000000000000000"})):
        status, out = admin_call(fresh, op, body, key=ro)
        assert status == 400 and out["__type"] == "AccessDeniedException", (op, out)
    status, out = admin_call(fresh, "ListScimAccessTokens", key=ro)
    assert status == 200 and len(out["AccessTokens"]) == 1


def test_admin_calls_are_audited(fresh):
    status, tok = admin_call(fresh, "EnableAutomaticProvisioning")
    admin_call(fresh, "DescribeAutomaticProvisioning")
    admin_call(fresh, "CreateScimAccessToken")
    admin_call(fresh, "CreateScimAccessToken")  # refused: a third token
    recs = audit(fresh, wait=0.5)
    names = [r["eventName"] for r in recs]
    assert "EnableAutomaticProvisioning" in names and "CreateScimAccessToken" in names
    enable = next(r for r in recs if r["eventName"] == "EnableAutomaticProvisioning")
    assert enable["userIdentity"]["accessKeyId"] == fresh.key["AccessKeyId"]
    assert enable["readOnly"] is False
    assert enable["responseElements"]["tokenId"] == tok["TokenId"]
    describe = [r for r in recs if r["eventName"] == "DescribeAutomaticProvisioning"]
    assert describe and describe[0]["readOnly"] is True, "a read is recorded as readOnly"
    refused = [r for r in recs if r["eventName"] == "CreateScimAccessToken" and r.get("errorCode")]
    assert refused and refused[0]["errorMessage"]
    secret = tok["AccessToken"].split(".", 1)[1]
    assert secret not in json.dumps(recs)


def test_cli_token_reads_are_audited_as_read_only(fresh):
    scim_cli(fresh, "enable")
    scim_cli(fresh, "list-tokens")
    scim_cli(fresh, "status")
    scim_cli(fresh, "create-token")
    recs = audit(fresh)
    reads = [r for r in recs if r["eventName"] in ("ListBearerTokens", "DescribeAutomaticProvisioning",
                                                  "ListScimAccessTokens")]
    assert len(reads) >= 2
    assert all(r["readOnly"] is True for r in reads), [(r["eventName"], r["readOnly"]) for r in reads]
    writes = [r for r in recs if r["eventName"] in ("CreateBearerToken", "CreateScimAccessToken",
                                                   "EnableAutomaticProvisioning")]
    assert len(writes) == 2 and all(r["readOnly"] is False for r in writes)


def test_refused_cli_token_commands_are_audited_with_their_error(fresh):
    """CloudTrail records refused calls too (errorCode, errorMessage), as the API door does."""
    scim_cli(fresh, "enable")
    scim_cli(fresh, "create-token")
    assert scim_cli(fresh, "create-token", check=False)[0] != 0  # a third token
    assert scim_cli(fresh, "disable", check=False)[0] != 0        # tokens remain
    recs = audit(fresh)
    failed = [r for r in recs if r.get("errorCode")]
    names = sorted(r["eventName"] for r in failed)
    assert len(failed) == 2, names
    assert all(r["errorMessage"] for r in failed)


# ---- the token never leaks ----------------------------------------------------------------------


def test_token_never_appears_in_logs_audit_or_database(fresh):
    status, api_tok = admin_call(fresh, "EnableAutomaticProvisioning")
    cli_tok = scim_cli(fresh, "create-token")[1]
    for tok in (api_tok, cli_tok):
        c = client_for(fresh, tok["AccessToken"], user_agent="leak-check/1.0")
        u = c.create_user(email=f"{uniq('leak')}@example.com")
        c.patch(f"Users/{u['id']}", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                     "Operations": [{"op": "replace", "path": "title", "value": "x"}]})
        c.get("Users", params={"filter": f'userName eq "{u["userName"]}"'})
        c.get(f"Users/{u['id']}x")
        c.post("Users", user_body(u["userName"]))  # 409
        c.request("POST", "Users", raw=b"{not json")  # 400
        # A wrong secret on a valid id, and the token pasted in odd places.
        requests.get(scim_base(fresh) + "/Users", verify=False, timeout=30,
                     headers={"Authorization": f"Bearer {tok['TokenId']}.wrongsecret"})
        requests.get(scim_base(fresh) + "/Users", verify=False, timeout=30,
                     headers={"Authorization": f"Basic {tok['AccessToken']}", "User-Agent": "probe"})
    time.sleep(0.5)
    recs = scim_audit(fresh)
    assert any(r["eventName"] == "CreateUser" and not r.get("errorCode") for r in recs)
    for tok in (api_tok, cli_tok):
        assert any(r["userIdentity"].get("accessKeyId") == tok["TokenId"] for r in recs), \
            "calls are attributed to the token id"
    everything = fresh.cli("audit", "--limit", "1000").stdout
    files = {
        "server.log": fresh.log(),
        "server.out": (fresh.data_dir / "server.out").read_text(errors="replace"),
        "audit export": (fresh.data_dir / "audit" / "events.jsonl").read_text(errors="replace"),
        "atrium audit": everything,
    }
    db = fresh.store_bytes()
    for tok in (api_tok, cli_tok):
        secret = tok["AccessToken"].split(".", 1)[1]
        for where, text in files.items():
            assert secret not in text, f"token secret found in {where}"
        assert secret.encode() not in db, "only a hash of the secret is stored"
    assert "leak-check/1.0" in everything or "leak-check/1.0" in files["server.log"]


def test_tokens_survive_a_restart(fresh):
    keep = scim_cli(fresh, "enable")[1]
    gone = scim_cli(fresh, "create-token")[1]
    assert works(fresh, keep["AccessToken"])
    scim_cli(fresh, "delete-token", "--token-id", gone["TokenId"])
    assert fresh.stop() == 0
    fresh.start()
    assert works(fresh, keep["AccessToken"]), "a token outlives the process"
    assert not works(fresh, gone["AccessToken"]), "a deleted token stays deleted"
    listed = tokens_listed(fresh)
    assert list(listed) == [keep["TokenId"]] and listed[keep["TokenId"]]["LastUsedAt"]


def test_plain_http_server_advertises_an_http_endpoint():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = make_server(tmp, tls=False)
        try:
            status, tok = admin_call(s, "EnableAutomaticProvisioning")
            assert status == 200, tok
            assert tok["ScimEndpoint"].startswith("http://") and tok["ScimEndpoint"].endswith(f":{s.port}/scim/v2")
            c = client_for(s, tok["AccessToken"])
            r = c.post("Users", user_body(uniq("plain")))
            assert r.status_code == 201, r.text
            assert r.headers["Location"].startswith(f"http://127.0.0.1:{s.port}/scim/v2/Users/")
        finally:
            assert s.stop() == 0

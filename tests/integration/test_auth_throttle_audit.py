"""SigV4 authentication, throttling, access control, internal errors and the audit trail."""
import datetime
import json
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
import uuid
from unittest import mock

import botocore.auth
import botocore.exceptions
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import make_server, new_user

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


class JsonQueryAuth(SigV4QueryAuth):
    """botocore's presigner moves a body into the query string; the JSON protocol keeps it in
    the body, whose hash is signed (as botocore signs it for non-S3 services)."""

    def _modify_request_before_signing(self, request):
        data, request.data = request.data, ""
        super()._modify_request_before_signing(request)
        request.data = data


def raw_call(server, op, body, key_id=None, secret=None, when=None, query=False, tamper=None):
    """Signs with botocore's own SigV4 signer (optionally at another time) and sends it."""
    creds = Credentials(key_id or server.key["AccessKeyId"], secret or server.key["SecretAccessKey"])
    data = json.dumps(body)
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"AWSIdentityStore.{op}"}
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=data, headers=headers)
    signer = JsonQueryAuth(creds, "identitystore", "us-east-1", expires=300) if query else \
        SigV4Auth(creds, "identitystore", "us-east-1")
    if when is not None:
        with mock.patch.object(botocore.auth.datetime, "datetime", wraps=datetime.datetime) as dt:
            dt.utcnow.return_value = when
            signer.add_auth(req)
    else:
        signer.add_auth(req)
    sent_headers = dict(req.headers)
    if tamper:
        tamper(sent_headers)
    r = urllib.request.Request(req.url, data=data.encode(), headers=sent_headers, method="POST")
    try:
        with urllib.request.urlopen(r, context=TLS, timeout=30) as resp:
            return resp.status, json.loads(resp.read()), dict(resp.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), dict(e.headers)


def test_header_and_query_string_signatures_are_accepted(server):
    body = {"IdentityStoreId": server.store_id, "MaxResults": 1}
    status, out, _ = raw_call(server, "ListUsers", body)
    assert status == 200 and "Users" in out
    status, out, _ = raw_call(server, "ListUsers", body, query=True)
    assert status == 200 and "Users" in out, out
    # A presigned request whose signed headers were changed after signing is refused.
    status, out, _ = raw_call(server, "ListUsers", body, query=True,
                              tamper=lambda h: h.update({"X-Amz-Target": "AWSIdentityStore.ListGroups"}))
    assert status == 400 and out["__type"] == "InvalidSignatureException"


def test_unknown_key(server):
    status, out, _ = raw_call(server, "ListUsers", {"IdentityStoreId": server.store_id},
                              key_id="AKIAUNKNOWNKEY000000", secret="x" * 40)
    assert status == 400 and out["__type"] == "UnrecognizedClientException"
    assert out["Message"] == "The security token included in the request is invalid."


def test_bad_signature(server):
    status, out, _ = raw_call(server, "ListUsers", {"IdentityStoreId": server.store_id}, secret="wrong" * 8)
    assert status == 400 and out["__type"] == "InvalidSignatureException"
    assert "signature we calculated does not match" in out["Message"]


def test_tampered_target_header_breaks_signature(server):
    def tamper(h):
        h["X-Amz-Target"] = "AWSIdentityStore.DeleteUser"
    status, out, _ = raw_call(server, "ListUsers", {"IdentityStoreId": server.store_id}, tamper=tamper)
    assert status == 400 and out["__type"] == "InvalidSignatureException"


@pytest.mark.parametrize("minutes", [-6, 6])
def test_clock_skew_over_five_minutes(server, minutes):
    when = datetime.datetime.utcnow() + datetime.timedelta(minutes=minutes)
    status, out, _ = raw_call(server, "ListUsers", {"IdentityStoreId": server.store_id}, when=when)
    assert status == 400 and out["__type"] == "InvalidSignatureException"
    assert "Signature expired" in out["Message"] or "not yet current" in out["Message"]


def test_skew_within_five_minutes_is_accepted(server):
    when = datetime.datetime.utcnow() - datetime.timedelta(minutes=4)
    status, _, _ = raw_call(server, "ListUsers", {"IdentityStoreId": server.store_id}, when=when)
    assert status == 200


def test_missing_authentication(server):
    r = urllib.request.Request(server.endpoint + "/", data=b"{}", method="POST", headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSIdentityStore.ListUsers"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(r, context=TLS, timeout=30)
    assert json.loads(e.value.read())["__type"] == "MissingAuthenticationTokenException"


def test_read_only_key_gets_access_denied(server):
    ro = server.create_key(user="auditor", read_only=True)
    c = server.client(key=ro)
    assert "Users" in c.list_users(IdentityStoreId=server.store_id)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        new_user(c, server.store_id, "denied-" + uuid.uuid4().hex[:8])
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"


def test_throttling_exception_with_retry_after():
    with tempfile.TemporaryDirectory(prefix="atrium-it-") as tmp:
        s = make_server(tmp, settings=["throttle.rate.identitystore.ListUsers=0.5"])
        try:
            c = s.client()
            codes = []
            for _ in range(12):
                try:
                    c.list_users(IdentityStoreId=s.store_id)
                    codes.append("ok")
                except botocore.exceptions.ClientError as e:
                    codes.append(e.response["Error"]["Code"])
                    resp = e.response
            assert "ThrottlingException" in codes and codes[0] == "ok"
            assert resp["RetryAfterSeconds"] >= 1
            assert int(resp["ResponseMetadata"]["HTTPHeaders"]["retry-after"]) >= 1
            # Other operations have their own bucket.
            new_user(c, s.store_id, "not-throttled")
        finally:
            assert s.stop() == 0


def test_internal_server_exception_is_generic_and_logged(fresh_server):
    """A real store failure: the audit table, which every write's transaction inserts into, dropped
    under the running server (a user without external ids no longer touches external_ids)."""
    c = fresh_server.client()
    new_user(c, fresh_server.store_id, "before-break")
    fresh_server.sql("DROP TABLE audit_events;")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        new_user(c, fresh_server.store_id, "after-break")
    assert e.value.response["Error"]["Code"] == "InternalServerException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert "audit_events" not in e.value.response["Error"]["Message"], "no internals leak to clients"


def test_audit_records_success_failure_and_redaction(server):
    c = server.client()
    name = "audited-" + uuid.uuid4().hex[:8]
    uid = new_user(c, server.store_id, name)
    with pytest.raises(botocore.exceptions.ClientError):
        new_user(c, server.store_id, name)
    out = server.cli("audit", "--event-name", "CreateUser", "--limit", "50").stdout
    records = [json.loads(line) for line in out.splitlines()]
    ok = [r for r in records if (r.get("responseElements") or {}).get("userId") == uid]
    assert len(ok) == 1
    rec = ok[0]
    for field in ("eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
                  "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID",
                  "eventID", "readOnly", "eventType"):
        assert field in rec, field
    assert rec["eventSource"] == "identitystore.amazonaws.com" and rec["readOnly"] is False
    assert rec["userIdentity"]["accessKeyId"] == server.key["AccessKeyId"]
    assert rec["sourceIPAddress"] == "127.0.0.1"
    assert "Boto3" in rec["userAgent"] or "botocore" in rec["userAgent"]
    assert rec["requestParameters"]["UserName"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    failed = [r for r in records if r.get("errorCode") == "ConflictException"]
    assert failed and failed[0]["errorMessage"]
    # Filters: principal and time range.
    by_principal = server.cli("audit", "--principal", rec["userIdentity"]["arn"], "--limit", "5").stdout
    assert len(by_principal.splitlines()) == 5
    none = server.cli("audit", "--until", "2001-01-01T00:00:00Z").stdout
    assert none.strip() == ""
    # The JSON-lines export has the same records, and no secret appears in any file we write.
    export = (server.data_dir / "audit" / "events.jsonl").read_text()
    assert rec["eventID"] in export
    secret = server.key["SecretAccessKey"]
    assert secret not in export and secret not in server.log()
    assert secret.encode() not in server.store_bytes()


def test_read_calls_are_audited_as_read_only(server):
    c = server.client()
    c.list_groups(IdentityStoreId=server.store_id)
    import time
    time.sleep(0.5)  # detached audit writes of reads commit with the next batch
    out = server.cli("audit", "--event-name", "ListGroups", "--limit", "1").stdout
    rec = json.loads(out.splitlines()[0])
    assert rec["readOnly"] is True and "errorCode" not in rec


def test_auth_failures_are_audited(server):
    raw_call(server, "ListUsers", {"IdentityStoreId": server.store_id}, secret="wrong" * 8)
    import time
    time.sleep(0.5)
    out = server.cli("audit", "--principal", server.key["AccessKeyId"], "--limit", "20").stdout
    codes = [json.loads(l).get("errorCode") for l in out.splitlines()]
    assert "InvalidSignatureException" in codes

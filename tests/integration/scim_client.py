"""A small SCIM 2.0 client for the integration tests, and helpers shared by the SCIM suites.

ScimClient wraps a requests.Session holding the bearer token; every call returns the
requests.Response so that tests assert on status, headers and body themselves. The module
also drives `atrium admin scim` (CLI) and the AtriumAdmin JSON API (SigV4-signed), and reads
the CloudTrail-format audit trail.
"""
import json
import time
import uuid

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
SEARCH_URN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SPC_URN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Schema"
RESOURCE_TYPE_URN = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCIM_JSON = "application/scim+json"
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"


def uniq(prefix="u"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def user_body(user_name, given="Given", family="Family", display=None, email=None, **extra):
    """A minimal valid SCIM user (the four attributes the service requires)."""
    body = {"schemas": [USER_URN], "userName": user_name,
            "name": {"givenName": given, "familyName": family},
            "displayName": display if display is not None else f"{given} {family}"}
    if email:
        body["emails"] = [{"value": email, "type": "work", "primary": True}]
    body.update(extra)
    return body


def group_body(display_name, members=None, **extra):
    body = {"schemas": [GROUP_URN], "displayName": display_name}
    if members is not None:
        body["members"] = [{"value": m} for m in members]
    body.update(extra)
    return body


def patch_body(*ops):
    """PatchOp request; each op is a dict or a tuple (op, path, value) with None = omitted."""
    out = []
    for o in ops:
        if isinstance(o, dict):
            out.append(o)
            continue
        op, path, *rest = o
        d = {"op": op}
        if path is not None:
            d["path"] = path
        if rest:
            d["value"] = rest[0]
        out.append(d)
    return {"schemas": [PATCH_URN], "Operations": out}


class ScimClient:
    """Bearer-token SCIM client for https://127.0.0.1:<port>/scim/v2."""

    def __init__(self, base, token, user_agent=None):
        self.base = base.rstrip("/")
        self.token = token
        self.s = requests.Session()
        self.s.verify = False
        self.s.headers["Authorization"] = f"Bearer {token}"
        self.s.headers["Accept"] = f"{SCIM_JSON}, application/json"
        if user_agent:
            self.s.headers["User-Agent"] = user_agent

    def url(self, path):
        return path if path.startswith("http") else self.base + "/" + path.lstrip("/")

    def request(self, method, path, body=None, params=None, headers=None, raw=None,
                content_type=SCIM_JSON, **kw):
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None and content_type is not None:
            h.setdefault("Content-Type", content_type)
        kw.setdefault("verify", False)  # per request: REQUESTS_CA_BUNDLE would override the session's
        return self.s.request(method, self.url(path), data=data, params=params, headers=h,
                              timeout=60, **kw)

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params=params, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # ---- conveniences that assert success --------------------------------------------------

    def create_user(self, user_name=None, **kw):
        r = self.post("Users", user_body(user_name or uniq("user"), **kw))
        assert r.status_code == 201, r.text
        return r.json()

    def create_group(self, display_name=None, members=None, **kw):
        r = self.post("Groups", group_body(display_name or uniq("group"), members, **kw))
        assert r.status_code == 201, r.text
        return r.json()

    def get_user(self, uid, **kw):
        r = self.get(f"Users/{uid}", **kw)
        assert r.status_code == 200, r.text
        return r.json()

    def get_group(self, gid, **kw):
        r = self.get(f"Groups/{gid}", **kw)
        assert r.status_code == 200, r.text
        return r.json()

    def list_all(self, resource, filter=None, count=100, attributes=None):
        """Walks a cursor listing to its end; returns the resources (asserting each page)."""
        out, cursor, pages = [], "", 0
        while True:
            params = {"cursor": cursor, "count": count}
            if filter:
                params["filter"] = filter
            if attributes:
                params["excludedAttributes"] = attributes
            r = self.get(resource, params=params)
            assert r.status_code == 200, r.text
            page = r.json()
            out += page["Resources"]
            pages += 1
            assert pages < 10_000
            cursor = page.get("nextCursor")
            if not cursor:
                return out


def member_ids(group):
    return sorted(m["value"] for m in group.get("members", []))


def assert_error(r, status, scim_type=None, detail_contains=None):
    """RFC 7644 §3.12 error body: schemas, status as a string, scimType where given."""
    assert r.status_code == status, f"expected {status}, got {r.status_code}: {r.text}"
    body = r.json()
    assert body["schemas"] == [ERROR_URN], body
    assert body["status"] == str(status), body
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    if detail_contains is not None:
        assert detail_contains.lower() in body.get("detail", "").lower(), body
    return body


# ---- provisioning administration ---------------------------------------------------------


def scim_cli(server, *args, check=True):
    """`atrium admin scim <args> --json`; returns (returncode, parsed stdout or None, stderr)."""
    r = server.cli("admin", "scim", *args, "--json", check=check)
    out = None
    if r.stdout.strip():
        try:
            out = json.loads(r.stdout)
        except ValueError:
            out = r.stdout
    return r.returncode, out, r.stderr


def enable(server):
    """Enables provisioning (CLI) and returns the first token's JSON."""
    code, out, err = scim_cli(server, "enable")
    assert code == 0, err
    return out


def scim_base(server):
    return f"{server.endpoint}/scim/v2"


def client_for(server, token, **kw):
    return ScimClient(scim_base(server), token, **kw)


def admin_call(server, op, body=None, key=None, service="sso-directory", prefix="AtriumAdmin"):
    """Signs an AtriumAdmin.<op> call with botocore's SigV4 signer; returns (status, json)."""
    key = key or server.key
    data = json.dumps(body or {})
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{prefix}.{op}"}
    req = AWSRequest(method="POST", url=server.endpoint + "/", data=data, headers=headers)
    SigV4Auth(Credentials(key["AccessKeyId"], key["SecretAccessKey"]), service, "us-east-1").add_auth(req)
    r = requests.post(req.url, data=data.encode(), headers=dict(req.headers), verify=False, timeout=60)
    try:
        out = r.json()
    except ValueError:
        out = r.text
    return r.status_code, out


def identitystore_call(server, op, body):
    """A raw AWSIdentityStore.<op> call (the installed botocore predates some response fields,
    e.g. DescribeUser's UserStatus, and would drop them); returns the parsed JSON, asserting 200."""
    status, out = admin_call(server, op, dict(body, IdentityStoreId=server.store_id),
                             service="identitystore", prefix="AWSIdentityStore")
    assert status == 200, out
    return out


def user_status(server, user_id):
    return identitystore_call(server, "DescribeUser", {"UserId": user_id}).get("UserStatus")


def audit(server, event_name=None, limit=None, wait=0.0):
    """CloudTrail records from `atrium audit` (newest first, as the CLI prints them)."""
    if wait:
        time.sleep(wait)
    args = ["audit"]
    if event_name:
        args += ["--event-name", event_name]
    if limit:
        args += ["--limit", str(limit)]
    out = server.cli(*args).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def scim_audit(server, event_name=None, limit=None, wait=0.0, until=None, timeout=5.0):
    """SCIM records; with `until` (a predicate on the list), polls until it holds or `timeout`
    passes (audit records of reads are written without waiting, after the response)."""
    deadline = time.time() + timeout
    while True:
        recs = [r for r in audit(server, event_name, limit, wait)
                if r.get("eventSource") == "identitystore-scim.amazonaws.com"]
        if until is None or until(recs) or time.time() > deadline:
            return recs
        time.sleep(0.1)

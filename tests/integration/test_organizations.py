"""The organizations door (AWSOrganizationsV20161128) driven by unmodified clients.

Interpreters: Debian's /usr/bin/python3 (boto3 from apt, botocore 1.29.27: every Organizations
operation used here is in its model) and Debian's AWS CLI v2 at /usr/bin/aws. The importer test
creates an organization in a `moto_server` started by the test with the pyenv Python
(/root/.pyenv/shims/python3, which carries moto 5.2.1 and a newer boto3), imports it with
`atrium admin org import`, and compares what the AWS CLI then lists from Atrium.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import ATRIUM, REGION, make_server

AWS = "/usr/bin/aws"
PYENV_PYTHON = "/root/.pyenv/shims/python3"


def orgs(server, key=None):
    key = key or server.key
    cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"})
    return boto3.client("organizations", region_name=REGION, endpoint_url=server.endpoint,
                        aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                        verify=False, config=cfg)


def aws(server, *args, expect_error=None):
    env = dict(os.environ, AWS_ACCESS_KEY_ID=server.key["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=server.key["SecretAccessKey"], AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1", AWS_PAGER="")
    env.pop("AWS_PROFILE", None)
    cmd = [AWS, "organizations", *args, "--endpoint-url", server.endpoint, "--region", REGION,
           "--no-verify-ssl", "--output", "json"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if expect_error:
        assert r.returncode != 0, r.stdout
        assert expect_error in r.stderr, r.stderr
        return r.stderr
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout) if r.stdout.strip() else {}


def org_cli(server, *args, check=True):
    r = server.cli("admin", "org", *args, check=check)
    return r


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def org_server():
    with tempfile.TemporaryDirectory(prefix="atrium-org-") as tmp:
        s = make_server(tmp)
        yield s
        assert s.stop() == 0


def test_cli_reads_the_organization(org_server):
    s = org_server
    o = aws(s, "describe-organization")["Organization"]
    assert o["Id"].startswith("o-") and len(o["Id"]) == 12
    assert o["Arn"] == f"arn:aws:organizations::{o['MasterAccountId']}:organization/{o['Id']}"
    assert o["FeatureSet"] == "ALL"
    mgmt = o["MasterAccountId"]
    roots = aws(s, "list-roots")["Roots"]
    assert len(roots) == 1
    root = roots[0]["Id"]
    assert roots[0]["Arn"] == f"arn:aws:organizations::{mgmt}:root/{o['Id']}/{root}"
    ou = orgs(s).create_organizational_unit(ParentId=root, Name="cli-ou")["OrganizationalUnit"]
    org_cli(s, "register-account", "--id", "210000000001", "--name", "Cli One", "--email", "one@example.com",
            "--parent", ou["Id"])
    accounts = aws(s, "list-accounts")["Accounts"]
    assert {mgmt, "210000000001"} <= {a["Id"] for a in accounts}
    one = aws(s, "describe-account", "--account-id", "210000000001")["Account"]
    assert one["Name"] == "Cli One" and one["Email"] == "one@example.com" and one["Status"] == "ACTIVE"
    assert one["Arn"] == f"arn:aws:organizations::{mgmt}:account/{o['Id']}/210000000001"
    units = aws(s, "list-organizational-units-for-parent", "--parent-id", root)["OrganizationalUnits"]
    assert ou["Id"] in [u["Id"] for u in units]
    assert ou["Arn"] == f"arn:aws:organizations::{mgmt}:ou/{o['Id']}/{ou['Id']}"
    in_ou = aws(s, "list-accounts-for-parent", "--parent-id", ou["Id"])["Accounts"]
    assert [a["Id"] for a in in_ou] == ["210000000001"]
    children = aws(s, "list-children", "--parent-id", root, "--child-type", "ORGANIZATIONAL_UNIT")["Children"]
    assert {"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"} in children
    kids = aws(s, "list-children", "--parent-id", root, "--child-type", "ACCOUNT")["Children"]
    assert {"Id": mgmt, "Type": "ACCOUNT"} in kids
    assert aws(s, "list-parents", "--child-id", "210000000001")["Parents"] == [
        {"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
    assert aws(s, "list-parents", "--child-id", ou["Id"])["Parents"] == [{"Id": root, "Type": "ROOT"}]
    assert aws(s, "describe-organizational-unit", "--organizational-unit-id", ou["Id"])["OrganizationalUnit"] == ou
    aws(s, "describe-account", "--account-id", "999999999999", expect_error="AccountNotFoundException")
    aws(s, "list-children", "--parent-id", "ou-zzzz-zzzzzzzz", "--child-type", "ACCOUNT",
        expect_error="ParentNotFoundException")


def test_paginators_page_120_accounts_twenty_at_a_time(org_server):
    s = org_server
    c = orgs(s)
    root = c.list_roots()["Roots"][0]["Id"]
    ou = c.create_organizational_unit(ParentId=root, Name="many")["OrganizationalUnit"]["Id"]
    for i in range(120):
        org_cli(s, "register-account", "--id", f"3100000{i:05d}", "--name", f"many {i}",
                "--email", f"m{i}@example.com", "--parent", ou)
    pages = list(c.get_paginator("list_accounts_for_parent").paginate(
        ParentId=ou, PaginationConfig={"PageSize": 20}))
    assert len(pages) == 6
    assert all(len(p["Accounts"]) == 20 for p in pages)
    ids = [a["Id"] for p in pages for a in p["Accounts"]]
    assert ids == [f"3100000{i:05d}" for i in range(120)], "every account once, in id order"
    all_ids = [a["Id"] for p in c.get_paginator("list_accounts").paginate(PaginationConfig={"PageSize": 20})
               for a in p["Accounts"]]
    assert set(ids) <= set(all_ids) and len(all_ids) == len(set(all_ids))
    children = [ch["Id"] for p in c.get_paginator("list_children").paginate(
        ParentId=ou, ChildType="ACCOUNT", PaginationConfig={"PageSize": 20}) for ch in p["Children"]]
    assert children == ids
    # The CLI follows NextToken by itself, and --max-items/--page-size work as for AWS.
    assert len(aws(s, "list-accounts-for-parent", "--parent-id", ou)["Accounts"]) == 120
    part = aws(s, "list-accounts-for-parent", "--parent-id", ou, "--max-items", "30", "--page-size", "20")
    assert len(part["Accounts"]) == 30 and "NextToken" in part
    with pytest.raises(ClientError) as e:
        c.list_accounts(NextToken="bm90LWEtdG9rZW4")
    assert error_code(e) == "InvalidInputException"
    assert e.value.response["Reason"] == "INVALID_NEXT_TOKEN"


def test_ou_writes_and_errors_in_organizations_names(org_server):
    s = org_server
    c = orgs(s)
    root = c.list_roots()["Roots"][0]["Id"]
    a = c.create_organizational_unit(ParentId=root, Name="writes-a")["OrganizationalUnit"]
    b = c.create_organizational_unit(ParentId=a["Id"], Name="writes-b")["OrganizationalUnit"]
    assert a["Id"].startswith("ou-" + root[2:] + "-")
    with pytest.raises(ClientError) as e:
        c.create_organizational_unit(ParentId=root, Name="writes-a")
    assert error_code(e) == "DuplicateOrganizationalUnitException"
    with pytest.raises(ClientError) as e:
        c.create_organizational_unit(ParentId="ou-zzzz-zzzzzzzz", Name="x")
    assert error_code(e) == "ParentNotFoundException"
    with pytest.raises(ClientError) as e:
        c.create_organizational_unit(ParentId=root, Name="x" * 129)
    assert error_code(e) == "InvalidInputException" and e.value.response["Reason"] == "MAX_LENGTH_EXCEEDED"
    renamed = c.update_organizational_unit(OrganizationalUnitId=b["Id"], Name="writes-b2")["OrganizationalUnit"]
    assert renamed["Name"] == "writes-b2" and renamed["Id"] == b["Id"]
    with pytest.raises(ClientError) as e:
        c.delete_organizational_unit(OrganizationalUnitId=a["Id"])
    assert error_code(e) == "OrganizationalUnitNotEmptyException"

    org_cli(s, "register-account", "--id", "410000000001", "--name", "Mover", "--email", "mover@example.com")
    c.move_account(AccountId="410000000001", SourceParentId=root, DestinationParentId=b["Id"])
    assert c.list_parents(ChildId="410000000001")["Parents"][0]["Id"] == b["Id"]
    for kwargs, code in [
        (dict(AccountId="410000000001", SourceParentId="ou-zzzz-zzzzzzzz", DestinationParentId=root),
         "SourceParentNotFoundException"),
        (dict(AccountId="410000000001", SourceParentId=b["Id"], DestinationParentId="ou-zzzz-zzzzzzzz"),
         "DestinationParentNotFoundException"),
        (dict(AccountId="499999999999", SourceParentId=root, DestinationParentId=b["Id"]), "AccountNotFoundException"),
        (dict(AccountId="410000000001", SourceParentId=b["Id"], DestinationParentId=b["Id"]),
         "DuplicateAccountException"),
    ]:
        with pytest.raises(ClientError) as e:
            c.move_account(**kwargs)
        assert error_code(e) == code, kwargs
    with pytest.raises(ClientError) as e:
        c.list_parents(ChildId="499999999999")
    assert error_code(e) == "ChildNotFoundException"
    with pytest.raises(ClientError) as e:
        c.describe_organizational_unit(OrganizationalUnitId="ou-zzzz-zzzzzzzz")
    assert error_code(e) == "OrganizationalUnitNotFoundException"
    c.move_account(AccountId="410000000001", SourceParentId=b["Id"], DestinationParentId=root)
    c.delete_organizational_unit(OrganizationalUnitId=b["Id"])
    c.delete_organizational_unit(OrganizationalUnitId=a["Id"])
    assert a["Id"] not in [u["Id"] for u in c.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"]]


def test_read_only_key_reads_but_cannot_write(org_server):
    s = org_server
    ro = s.create_key(user="org-reader", read_only=True)
    c = orgs(s, ro)
    root = c.list_roots()["Roots"][0]["Id"]
    with pytest.raises(ClientError) as e:
        c.create_organizational_unit(ParentId=root, Name="nope")
    assert error_code(e) == "AccessDeniedException"


def test_writes_are_audited_with_the_organizations_event_source(org_server):
    s = org_server
    c = orgs(s)
    root = c.list_roots()["Roots"][0]["Id"]
    c.create_organizational_unit(ParentId=root, Name="audited")
    out = s.cli("audit", "--event-name", "CreateOrganizationalUnit", "--limit", "5").stdout
    recs = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert recs and recs[0]["eventSource"] == "organizations.amazonaws.com"
    assert recs[0]["responseElements"]["organizationalUnit"]["Name"] == "audited"


def test_admin_org_cli_register_move_remove_list(org_server):
    s = org_server
    root = orgs(s).list_roots()["Roots"][0]["Id"]
    made = json.loads(org_cli(s, "create-ou", "--name", "cli-made", "--json").stdout)
    assert made["Id"].startswith("ou-")
    reg = json.loads(org_cli(s, "register-account", "--id", "510000000001", "--name", "Cli", "--email",
                             "cli@example.com", "--json").stdout)
    assert reg["Id"] == "510000000001"
    org_cli(s, "move-account", "--id", "510000000001", "--parent", made["Id"])
    listing = json.loads(org_cli(s, "list", "--json").stdout)
    acct = next(a for a in listing["Accounts"] if a["Id"] == "510000000001")
    assert acct["ParentId"] == made["Id"]
    assert listing["Root"]["Id"] == root
    text = org_cli(s, "list").stdout
    assert "cli-made" in text and "510000000001" in text
    bad = org_cli(s, "register-account", "--id", "123", "--name", "x", "--email", "x@example.com", check=False)
    assert bad.returncode != 0 and "InvalidInputException" in bad.stderr
    mg = org_cli(s, "remove-account", "--id", listing["Organization"]["MasterAccountId"], check=False)
    assert mg.returncode != 0 and "ConstraintViolationException" in mg.stderr
    org_cli(s, "remove-account", "--id", "510000000001")
    with pytest.raises(ClientError) as e:
        orgs(s).describe_account(AccountId="510000000001")
    assert error_code(e) == "AccountNotFoundException"


# ---- importer against moto -----------------------------------------------------------------

MOTO_SETUP = r"""
import json, sys, boto3
c = boto3.client("organizations", region_name="us-east-1", endpoint_url=sys.argv[1],
                 aws_access_key_id="testing", aws_secret_access_key="testing")
c.create_organization(FeatureSet="ALL")
root = c.list_roots()["Roots"][0]["Id"]
prod = c.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]["Id"]
web = c.create_organizational_unit(ParentId=prod, Name="Web")["OrganizationalUnit"]["Id"]
sec = c.create_organizational_unit(ParentId=root, Name="Security")["OrganizationalUnit"]["Id"]
ids = []
for i, parent in enumerate([prod, web, web, sec, root] + [web] * 20):
    st = c.create_account(Email=f"acct{i}@example.com", AccountName=f"account-{i}")["CreateAccountStatus"]
    aid = st["AccountId"]
    if parent != root:
        c.move_account(AccountId=aid, SourceParentId=root, DestinationParentId=parent)
    ids.append(aid)
print(json.dumps({"root": root, "prod": prod, "web": web, "sec": sec, "accounts": ids}))
"""

MOTO_RENAME = r"""
import sys, boto3
c = boto3.client("organizations", region_name="us-east-1", endpoint_url=sys.argv[1],
                 aws_access_key_id="testing", aws_secret_access_key="testing")
c.update_organizational_unit(OrganizationalUnitId=sys.argv[2], Name="Production")
c.move_account(AccountId=sys.argv[3], SourceParentId=sys.argv[4], DestinationParentId=sys.argv[5])
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def moto():
    exe = shutil.which("moto_server") or "/root/.pyenv/shims/moto_server"
    if not os.path.exists(exe) or not os.path.exists(PYENV_PYTHON):
        pytest.skip("moto_server (pyenv Python with moto) is not installed: cannot test the importer")
    port = free_port()
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def pyenv(script, *args):
    r = subprocess.run([PYENV_PYTHON, "-c", script, *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_import_from_an_organizations_endpoint(fresh_server, moto):
    s = fresh_server
    src = json.loads(pyenv(MOTO_SETUP, moto))

    def run_import():
        env = dict(s.env(), AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        r = subprocess.run([ATRIUM, "admin", "org", "import", "--endpoint-url", moto, "--json",
                            "--data-dir", str(s.data_dir)], capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    first = run_import()
    assert first["OrganizationalUnitsCreated"] == 3
    assert first["AccountsCreated"] >= 25  # the 25 made here (+ moto's own management account)
    root = aws(s, "list-roots")["Roots"][0]["Id"]
    # The tree as the AWS CLI lists it from Atrium matches the source.
    units = {u["Name"]: u["Id"] for u in aws(s, "list-organizational-units-for-parent", "--parent-id", root)["OrganizationalUnits"]}
    assert units == {"Prod": src["prod"], "Security": src["sec"]}, "OUs keep the source's ids"
    web = aws(s, "list-organizational-units-for-parent", "--parent-id", src["prod"])["OrganizationalUnits"]
    assert [(u["Id"], u["Name"]) for u in web] == [(src["web"], "Web")]
    in_web = {a["Id"] for a in aws(s, "list-accounts-for-parent", "--parent-id", src["web"])["Accounts"]}
    assert in_web == {src["accounts"][i] for i in [1, 2] + list(range(5, 25))}
    assert [a["Id"] for a in aws(s, "list-accounts-for-parent", "--parent-id", src["sec"])["Accounts"]] == [src["accounts"][3]]
    acct = aws(s, "describe-account", "--account-id", src["accounts"][0])["Account"]
    assert acct["Name"] == "account-0" and acct["Email"] == "acct0@example.com"
    assert aws(s, "list-parents", "--child-id", src["accounts"][4])["Parents"][0]["Id"] == root

    # Re-import after changes in the source: names and parents follow, ids stay.
    pyenv(MOTO_RENAME, moto, src["prod"], src["accounts"][3], src["sec"], src["prod"])
    second = run_import()
    assert second["OrganizationalUnitsCreated"] == 0 and second["AccountsCreated"] == 0
    assert aws(s, "describe-organizational-unit", "--organizational-unit-id", src["prod"])["OrganizationalUnit"]["Name"] == "Production"
    assert aws(s, "list-parents", "--child-id", src["accounts"][3])["Parents"][0]["Id"] == src["prod"]

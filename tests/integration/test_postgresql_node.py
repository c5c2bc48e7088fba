"""Atrium on PostgreSQL (issue 13): store.kind=postgresql against a throwaway PostgreSQL this
test starts itself (Debian's postgresql-15: initdb in a temporary directory, as the unprivileged
user atrium-test when run as root, the server on a free 127.0.0.1 port with SCRAM passwords).

One node: identitystore calls through boto3, a SCIM create and get, /healthz and /readyz, a
restart keeps everything. Two nodes on the same database (each with its own data directory and a
copy of the master key): a user created on node A is read on node B, and each node's /readyz
answers. The database password reaches Atrium through store.postgresql.password_file only: it is
never on a command line, and it never appears in a log.
"""
import http.client
import json
import shutil
import ssl

import pytest

import scim_client
from conftest import Server, new_user, throwaway_postgres

PASSWORD = "pg-secret-7f3a9c"  # only in the password files below

TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


def get(node, path):
    c = http.client.HTTPSConnection("127.0.0.1", node.port, context=TLS, timeout=10)
    c.request("GET", path)
    r = c.getresponse()
    return r.status, json.loads(r.read().decode())


@pytest.fixture
def cluster():
    with throwaway_postgres("atrium-pg-", PASSWORD) as c:
        yield c


def node(tmp, name, pg, db, password_file, master_key_from=None):
    data = tmp / name
    data.mkdir()
    if master_key_from is not None:  # every node of one deployment shares the master key
        shutil.copy2(master_key_from.data_dir / "master.key", data / "master.key")
    return Server(data, store=pg.store_settings(db, password_file))


def assert_password_never_logged(*nodes):
    for n in nodes:
        for f in n.data_dir.glob("server.*"):
            assert PASSWORD not in f.read_text(errors="replace"), f"{f} shows the database password"


def test_one_node_keeps_its_data_across_a_restart(cluster):
    pg, tmp, password_file = cluster
    pg.createdb("atrium")
    a = node(tmp, "a", pg, "atrium", password_file)
    a.key = a.create_key()
    a.store_id = a.key["IdentityStoreId"]
    a.start()
    try:
        assert get(a, "/healthz") == (200, {"status": "ok"})
        assert get(a, "/readyz") == (200, {"status": "ready"})
        ids = a.client()
        uid = new_user(ids, a.store_id, "pg-alice", "alice@example.com")
        gid = ids.create_group(IdentityStoreId=a.store_id, DisplayName="pg-admins")["GroupId"]
        ids.create_group_membership(IdentityStoreId=a.store_id, GroupId=gid, MemberId={"UserId": uid})
        # Uniqueness holds in the database with the SQLite backend's answer.
        with pytest.raises(ids.exceptions.ConflictException):
            new_user(ids, a.store_id, "PG-ALICE")
        token = scim_client.enable(a)["AccessToken"]
        scim = scim_client.client_for(a, token)
        created = scim.post("/Users", {"schemas": [scim_client.USER_URN], "userName": "pg-bob", "displayName": "Bob Pg",
                                       "name": {"givenName": "Bob", "familyName": "Pg"},
                                       "emails": [{"value": "bob@example.com", "primary": True}]})
        assert created.status_code == 201, created.text
        bob = created.json()["id"]
        got = scim.get(f"/Users/{bob}")
        assert got.status_code == 200 and got.json()["userName"] == "pg-bob"
        assert a.stop() == 0

        a.start()
        ids = a.client()
        assert ids.describe_user(IdentityStoreId=a.store_id, UserId=uid)["UserName"] == "pg-alice"
        members = ids.list_group_memberships(IdentityStoreId=a.store_id, GroupId=gid)["GroupMemberships"]
        assert [m["MemberId"]["UserId"] for m in members] == [uid]
        scim = scim_client.client_for(a, token)  # the token is in the database too; the port is new
        assert scim.get(f"/Users/{bob}").json()["userName"] == "pg-bob"
        assert not (a.data_dir / "atrium.db").exists(), "the data is in PostgreSQL, not in a SQLite file"
    finally:
        if a.proc is not None:
            a.stop()
    assert_password_never_logged(a)


def test_two_nodes_share_one_database(cluster):
    pg, tmp, password_file = cluster
    pg.createdb("shared")
    a = node(tmp, "a", pg, "shared", password_file)
    a.key = a.create_key()
    a.store_id = a.key["IdentityStoreId"]
    b = node(tmp, "b", pg, "shared", password_file, master_key_from=a)
    b.key, b.store_id = a.key, a.store_id  # the admin key lives in the database, sealed with the shared master key
    a.start()
    b.start()
    try:
        assert get(a, "/readyz")[0] == 200 and get(b, "/readyz")[0] == 200
        uid = new_user(a.client(), a.store_id, "made-on-a", "a@example.com")
        on_b = b.client().describe_user(IdentityStoreId=b.store_id, UserId=uid)
        assert on_b["UserName"] == "made-on-a"
        # And the other way round, with uniqueness across the nodes.
        gid = b.client().create_group(IdentityStoreId=b.store_id, DisplayName="made-on-b")["GroupId"]
        assert a.client().describe_group(IdentityStoreId=a.store_id, GroupId=gid)["DisplayName"] == "made-on-b"
        with pytest.raises(a.client().exceptions.ConflictException):
            a.client().create_group(IdentityStoreId=a.store_id, DisplayName="MADE-ON-B")
    finally:
        for n in (a, b):
            if n.proc is not None:
                assert n.stop() == 0
    assert_password_never_logged(a, b)


def test_a_wrong_database_password_fails_start_without_showing_it(cluster):
    pg, tmp, password_file = cluster
    pg.createdb("wrong")
    bad = tmp / "bad-password"
    bad.write_text("not-the-password\n")
    a = node(tmp, "a", pg, "wrong", bad)
    r = a.cli("admin", "create-access-key", "--json", "--user-name", "admin", check=False)
    assert r.returncode != 0
    assert "password authentication failed" in r.stderr, r.stderr
    assert "not-the-password" not in r.stderr and PASSWORD not in r.stderr

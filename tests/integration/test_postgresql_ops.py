"""Operations of issue 13 item 4 (docs/deployment.md "Moving to PostgreSQL", "Backup and restore"):

- `atrium admin migrate-store --from sqlite:DIR --to CONNINFO` copies a populated single node
  (users, groups, memberships, a permission set and an account assignment, a SCIM token, a
  portal session, audit records) into an empty PostgreSQL database while that node runs; a node on
  PostgreSQL then answers boto3, SCIM and the portal with the same data. A non-empty target is
  refused without --force.
- `atrium backup --to FILE` / `atrium restore --from FILE` round trips on both backends; a backup
  that was altered or cut short is refused before anything is restored, and so is one whose
  schema is newer than the binary's.

Real peers: Debian's PostgreSQL 15 (a throwaway cluster, conftest.Postgres), boto3, requests.
"""
import hashlib
import hmac
import json
import shutil

import pytest

import scim_client
from conftest import Server, new_user, throwaway_postgres
from test_portal_signin import PASSWORD as PORTAL_PASSWORD, Browser, mfa_settings, user_with_password
from test_sso_admin_assignments import register_account, sso, wait_for

DB_PASSWORD = "ops-secret-51c2"


@pytest.fixture
def pg():
    with throwaway_postgres("atrium-pgops-", DB_PASSWORD) as c:
        yield c


def sqlite_node(dir_, settings=()):
    """A single node on SQLite whatever ATRIUM_TEST_STORE says (the source of a migration)."""
    dir_.mkdir(parents=True, exist_ok=True)
    s = Server(dir_, settings=list(settings), store={"store.kind": "sqlite"})
    s.key = s.create_key()
    s.store_id = s.key["IdentityStoreId"]
    return s


def pg_node(dir_, cluster, db, pw, like, settings=()):
    """A node on database `db` with the master key and the admin key of node `like`."""
    dir_.mkdir(parents=True)
    shutil.copy2(like.data_dir / "master.key", dir_ / "master.key")
    s = Server(dir_, settings=list(settings), store=cluster.store_settings(db, pw))
    s.key, s.store_id = like.key, like.store_id
    return s


def populate(node):
    """Users, a group with a member, a permission set assigned to the group in an account, a SCIM
    user and token, and a signed-in portal user. Returns what the copy must show."""
    ids = node.client()
    alice = new_user(ids, node.store_id, "mig-alice", "alice@example.com")
    gid = ids.create_group(IdentityStoreId=node.store_id, DisplayName="mig-admins")["GroupId"]
    ids.create_group_membership(IdentityStoreId=node.store_id, GroupId=gid, MemberId={"UserId": alice})
    client = sso(node)
    instance = client.list_instances()["Instances"][0]["InstanceArn"]
    account = "123456789012"
    register_account(node, account, "mig-account")
    ps = client.create_permission_set(InstanceArn=instance, Name="MigDev")["PermissionSet"]["PermissionSetArn"]
    st = client.create_account_assignment(InstanceArn=instance, TargetId=account, TargetType="AWS_ACCOUNT",
                                          PermissionSetArn=ps, PrincipalType="GROUP",
                                          PrincipalId=gid)["AccountAssignmentCreationStatus"]
    done = wait_for(lambda r: client.describe_account_assignment_creation_status(
        InstanceArn=instance, AccountAssignmentCreationRequestId=r)["AccountAssignmentCreationStatus"], st["RequestId"])
    assert done["Status"] == "SUCCEEDED", done
    token = scim_client.enable(node)["AccessToken"]
    created = scim_client.client_for(node, token).post("/Users", scim_client.user_body("mig-bob", email="bob@example.com"))
    assert created.status_code == 201, created.text
    mfa_settings(node, "--mode", "disabled")
    name, _ = user_with_password(node)
    browser = Browser(node)
    wf = browser.start(name)["workflowId"]
    assert browser.step("password", {"workflowId": wf, "password": PORTAL_PASSWORD})["next"] == "done"
    return dict(alice=alice, group=gid, instance=instance, account=account, ps=ps, token=token,
                bob=created.json()["id"], browser=browser)


def copy(node, cluster, db, pw, *extra):
    conninfo = f"host=127.0.0.1 port={cluster.port} user=atrium dbname={db}"
    return node.cli("admin", "migrate-store", "--from", f"sqlite:{node.data_dir}", "--to", conninfo,
                    "--password-file", str(pw), *extra, check=False)


def test_migrate_store_copies_a_running_node_and_a_postgresql_node_serves_it(pg):
    cluster, tmp, pw = pg
    cluster.createdb("migrated")
    single = sqlite_node(tmp / "single", settings=["passwords.argon2_memory_kib=8192", "passwords.argon2_iterations=1"])
    single.start()
    try:
        w = populate(single)
        r = copy(single, cluster, "migrated", pw)  # the single node keeps running meanwhile
        assert r.returncode == 0, r.stderr + r.stdout
        lines = {ln.split()[0]: ln.split() for ln in r.stdout.splitlines() if ln.strip()}
        for table in ("users", "groups", "memberships", "permission_sets", "account_assignments",
                      "sessions", "audit_events", "scim_tokens"):
            assert table in lines, r.stdout
            assert lines[table][-1] == "ok" and int(lines[table][1]) > 0, lines[table]
        assert "MISMATCH" not in r.stdout
        assert DB_PASSWORD not in r.stdout + r.stderr
        audit_rows = int(lines["audit_events"][1])
    finally:
        single.stop()

    node = pg_node(tmp / "pgnode", cluster, "migrated", pw, single)
    node.start()
    try:
        ids = node.client()
        assert ids.describe_user(IdentityStoreId=node.store_id, UserId=w["alice"])["UserName"] == "mig-alice"
        members = ids.list_group_memberships(IdentityStoreId=node.store_id, GroupId=w["group"])["GroupMemberships"]
        assert [m["MemberId"]["UserId"] for m in members] == [w["alice"]]
        assigned = sso(node).list_account_assignments(InstanceArn=w["instance"], AccountId=w["account"],
                                                      PermissionSetArn=w["ps"])["AccountAssignments"]
        assert [(a["PrincipalType"], a["PrincipalId"]) for a in assigned] == [("GROUP", w["group"])]
        scim = scim_client.client_for(node, w["token"])  # the SCIM token came along
        got = scim.get(f"/Users/{w['bob']}")
        assert got.status_code == 200 and got.json()["userName"] == "mig-bob"
        # The portal session signed in on the SQLite node is valid on the PostgreSQL node.
        w["browser"].server = node
        assert w["browser"].get("/portal/api/session").json()["signedIn"] is True
        # The audit records came along (and the new node's identity rows continue after them).
        assert len(node.query("SELECT event_id FROM audit_events")) >= audit_rows
        assert node.query("SELECT count(*) FROM (SELECT SUM(n) AS n FROM row_counts WHERE split_part(tbl, '#', 1) = 'users') c WHERE n = (SELECT count(*) FROM users)") == ["1"]
        # A new user on the copy: ids, uniqueness and counters work on the copied rows.
        new_user(ids, node.store_id, "after-migration")
        with pytest.raises(ids.exceptions.ConflictException):
            new_user(ids, node.store_id, "MIG-ALICE")
    finally:
        node.stop()


def test_migrate_store_refuses_a_non_empty_target_unless_forced(pg):
    cluster, tmp, pw = pg
    cluster.createdb("busy")
    single = sqlite_node(tmp / "single")
    new_user(single.start().client(), single.store_id, "first")
    single.stop()
    other = pg_node(tmp / "other", cluster, "busy", pw, single)
    other.cli("admin", "create-access-key", "--json")  # a node has written to the database
    r = copy(single, cluster, "busy", pw)
    assert r.returncode != 0 and "not empty" in r.stderr, r.stderr
    r = copy(single, cluster, "busy", pw, "--force")
    assert r.returncode == 0, r.stderr
    assert other.query("SELECT user_name_key FROM users") == ["first"]


def test_migrate_store_refuses_a_password_on_the_command_line(pg):
    cluster, tmp, pw = pg
    single = sqlite_node(tmp / "single")
    r = single.cli("admin", "migrate-store", "--from", f"sqlite:{single.data_dir}", "--to",
                   f"postgresql://atrium:{DB_PASSWORD}@127.0.0.1:{cluster.port}/x", check=False)
    assert r.returncode != 0 and "password" in r.stderr
    assert DB_PASSWORD not in r.stderr + r.stdout


# ---- backup and restore ------------------------------------------------------------------------

def reseal(path, master_key, change):
    """Rewrites a backup's header with `change` and seals it again with the right key (what only
    someone holding the master key can do): the schema check is then what refuses it."""
    data = path.read_bytes()
    magic, rest = data.split(b"\n", 1)
    header, rest = rest.split(b"\n", 1)
    payload = rest[:rest.rindex(b"\nATRIUM-BACKUP-END ")]
    h = json.loads(header)
    change(h)
    body = magic + b"\n" + json.dumps(h).encode() + b"\n" + payload
    key = hmac.new(master_key, b"atrium backup file v1", hashlib.sha256).digest()
    mac = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    path.write_bytes(body + b"\nATRIUM-BACKUP-END " + mac + b"\n")


def assert_refused(node, backup, words):
    r = node.cli("restore", "--from", str(backup), "--force", check=False)
    assert r.returncode != 0, r.stdout
    assert words in r.stderr, r.stderr


def refusals(node, good, tmp):
    """An altered byte, a cut-short file and a newer schema are each refused."""
    data = good.read_bytes()
    altered = tmp / "altered.bak"
    middle = len(data) // 2
    altered.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    assert_refused(node, altered, "HMAC does not match")
    truncated = tmp / "truncated.bak"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    assert_refused(node, truncated, "truncated")
    newer = tmp / "newer.bak"
    newer.write_bytes(data)
    reseal(newer, (node.data_dir / "master.key").read_bytes(), lambda h: h.update(schema_version=999))
    assert_refused(node, newer, "newer than this atrium")


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    node = sqlite_node(tmp_path / "node")
    node.start()
    try:
        uid = new_user(node.client(), node.store_id, "kept", "kept@example.com")
        backup = tmp_path / "atrium.bak"
        r = node.cli("backup", "--to", str(backup))  # while the node runs: the online backup API
        assert r.returncode == 0 and "sqlite" in r.stdout, r.stderr
        assert oct(backup.stat().st_mode & 0o777) == "0o600"
        new_user(node.client(), node.store_id, "after-backup")
    finally:
        node.stop()
    # Refused: the node's database exists (no --force), and every damaged file.
    r = node.cli("restore", "--from", str(backup), check=False)
    assert r.returncode != 0 and "exists" in r.stderr
    refusals(node, backup, tmp_path)
    assert node.query("SELECT count(*) FROM users") == ["2"], "a refused restore changes nothing"
    r = node.cli("restore", "--from", str(backup), "--force")
    assert r.returncode == 0, r.stderr
    node.start()
    try:
        ids = node.client()
        assert ids.describe_user(IdentityStoreId=node.store_id, UserId=uid)["UserName"] == "kept"
        names = [u["UserName"] for u in ids.list_users(IdentityStoreId=node.store_id)["Users"]]
        assert names == ["kept"], "the restore brings back the state of the backup"
    finally:
        node.stop()


def test_postgresql_backup_and_restore_round_trip(pg):
    cluster, tmp, pw = pg
    cluster.createdb("live")
    cluster.createdb("restored")
    seed = sqlite_node(tmp / "seed")  # only for its master key and admin key shape
    node = pg_node(tmp / "live", cluster, "live", pw, seed)
    node.key = node.create_key()
    node.store_id = node.key["IdentityStoreId"]
    node.start()
    try:
        ids = node.client()
        uid = new_user(ids, node.store_id, "pg-kept", "pgkept@example.com")
        gid = ids.create_group(IdentityStoreId=node.store_id, DisplayName="pg-group")["GroupId"]
        ids.create_group_membership(IdentityStoreId=node.store_id, GroupId=gid, MemberId={"UserId": uid})
        backup = tmp / "pg.bak"
        r = node.cli("backup", "--to", str(backup))  # while the node runs: one REPEATABLE READ snapshot
        assert r.returncode == 0 and "postgresql" in r.stdout, r.stderr
    finally:
        node.stop()
    target = pg_node(tmp / "target", cluster, "restored", pw, node)
    target.store_id = node.store_id
    refusals(target, backup, tmp)
    r = target.cli("restore", "--from", str(backup))
    assert r.returncode == 0, r.stderr + r.stdout
    assert "MISMATCH" not in r.stdout and " ok" in r.stdout
    target.start()
    try:
        ids = target.client()  # the admin key is in the restored database
        assert ids.describe_user(IdentityStoreId=target.store_id, UserId=uid)["UserName"] == "pg-kept"
        members = ids.list_group_memberships(IdentityStoreId=target.store_id, GroupId=gid)["GroupMemberships"]
        assert [m["MemberId"]["UserId"] for m in members] == [uid]
        new_user(ids, target.store_id, "after-restore")  # identity sequences continue past the copy
    finally:
        target.stop()
    # Restoring again over the now non-empty database needs --force.
    r = target.cli("restore", "--from", str(backup), check=False)
    assert r.returncode != 0 and "not empty" in r.stderr

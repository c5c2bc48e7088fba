"""Concurrent creates on PostgreSQL (issue 13 item 3, docs/deployment.md "Quotas"): two Atrium
nodes on one database, 64 CreateUser and 32 CreateGroup calls fired at once through both.

- every call succeeds (no call fails after the store's SERIALIZABLE retries: the users/groups
  counter is striped, migration 0021, and the quota is read before the write, not in it), and
  the store holds exactly the users and groups that were acknowledged;
- near the quota (quotas.max_users), 16 concurrent creates with room for 4 leave at most
  4 + (16 - 1) users beyond the start (the documented bound: k creates in flight overshoot by at
  most k - 1), at least the 4 that fit, every refusal is ServiceQuotaExceededException, and once
  the burst is over the next create is refused.

PostgreSQL is Debian's postgresql-15, started by the test (conftest.throwaway_postgres); without
it every test here is skipped and says how to get it.
"""
import concurrent.futures
import shutil

import boto3
import botocore.config
import pytest

from conftest import REGION, Server, throwaway_postgres

PASSWORD = "pg-creates-secret-7f3a"


def start_nodes(tmp, pg, password_file, extra=()):
    store = pg.store_settings("atrium", password_file)
    (tmp / "a").mkdir()
    a = Server(tmp / "a", settings=list(extra), store=store)
    a.key = a.create_key()
    a.store_id = a.key["IdentityStoreId"]
    (tmp / "b").mkdir()
    shutil.copy2(tmp / "a" / "master.key", tmp / "b" / "master.key")
    b = Server(tmp / "b", settings=list(extra), store=store)
    b.key, b.store_id = a.key, a.store_id
    a.start()
    b.start()
    return a, b


def client(node):
    """One identitystore client per node for all threads (botocore clients are thread-safe, their
    creation is not), one attempt per call: a failure is the server's, not hidden by a retry."""
    cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=64)
    c = boto3.client("identitystore", region_name=REGION, endpoint_url=node.endpoint, verify=False, config=cfg,
                     aws_access_key_id=node.key["AccessKeyId"], aws_secret_access_key=node.key["SecretAccessKey"])
    c.store_id = node.store_id
    return c


def create_user(c, name):
    try:
        return "ok", c.create_user(IdentityStoreId=c.store_id, UserName=name, DisplayName=name,
                                   Name={"GivenName": "Given", "FamilyName": "Family"})["UserId"]
    except c.exceptions.ServiceQuotaExceededException:
        return "quota", None
    except Exception as e:  # noqa: BLE001 - the test reports whatever failed
        return "error", repr(e)


def create_group(c, name):
    try:
        return "ok", c.create_group(IdentityStoreId=c.store_id, DisplayName=name)["GroupId"]
    except Exception as e:  # noqa: BLE001
        return "error", repr(e)


def fire(fn, nodes, names):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(names)) as pool:
        return list(pool.map(lambda i: fn(nodes[i % len(nodes)], names[i]), range(len(names))))


def test_64_concurrent_creates_on_two_nodes_all_succeed():
    with throwaway_postgres("atrium-pg-creates-", PASSWORD) as (pg, tmp, password_file):
        pg.createdb("atrium")
        a, b = start_nodes(tmp, pg, password_file)
        try:
            clients = [client(a), client(b)]
            users = fire(create_user, clients, [f"burst-{i:03d}" for i in range(64)])
            assert [r for r in users if r[0] != "ok"] == []
            groups = fire(create_group, clients, [f"burst-group-{i:03d}" for i in range(32)])
            assert [r for r in groups if r[0] != "ok"] == []
            assert a.query("SELECT count(*) FROM users") == ["64"]
            assert a.query("SELECT count(*) FROM groups") == ["32"]
            # The striped counter agrees with the tables (what the quota check reads).
            for tbl, n in (("users", "64"), ("groups", "32")):
                assert a.query(f"SELECT SUM(n) FROM row_counts WHERE split_part(tbl, '#', 1) = '{tbl}'") == [n]
            listed = a.client().list_users(IdentityStoreId=a.store_id, MaxResults=100)["Users"]
            assert sorted(u["UserId"] for u in listed) == sorted(r[1] for r in users)
        finally:
            for n in (a, b):
                n.stop(timeout=60)


def test_quota_near_the_limit_overshoots_by_at_most_the_creates_in_flight():
    limit, start, burst = 20, 16, 16
    with throwaway_postgres("atrium-pg-quota-", PASSWORD) as (pg, tmp, password_file):
        pg.createdb("atrium")
        a, b = start_nodes(tmp, pg, password_file, extra=[f"quotas.max_users={limit}"])
        try:
            ca, cb = client(a), client(b)
            for i in range(start):
                assert create_user(ca, f"before-{i}")[0] == "ok"
            results = fire(create_user, [ca, cb], [f"near-{i:02d}" for i in range(burst)])
            kinds = [r[0] for r in results]
            assert "error" not in kinds, results
            made = kinds.count("ok")
            # At least the room there was; at most that plus (creates in flight - 1).
            assert limit - start <= made <= (limit - start) + (burst - 1), kinds
            total = int(a.query("SELECT count(*) FROM users")[0])
            assert total == start + made
            # The burst is over: the quota is exact again for the next create, on either node.
            assert create_user(cb, "after-burst")[0] == "quota"
            assert create_user(ca, "after-burst-a")[0] == "quota"
        finally:
            for n in (a, b):
                n.stop(timeout=60)


if __name__ == "__main__":
    raise SystemExit(pytest.main([__file__, "-q"]))

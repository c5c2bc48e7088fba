"""SIGKILL in the middle of a burst of writes: every acknowledged write survives, the store opens."""
import json
import signal
import subprocess
import tempfile
import threading
import time

import botocore.exceptions

from conftest import make_server, new_user


def test_sigkill_during_write_burst_loses_no_acknowledged_write():
    with tempfile.TemporaryDirectory(prefix="atrium-crash-") as tmp:
        s = make_server(tmp)
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def writer(n):
            c = s.client()
            i = 0
            while not stop.is_set():
                name = f"crash-{n}-{i}"
                try:
                    new_user(c, s.store_id, name)
                except Exception:  # the server died under us: not acknowledged
                    return
                with lock:
                    acked.append(name)
                i += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait(timeout=10)
        s.proc = None
        s.stdout.close()
        s.stderr.close()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert len(acked) > 50, "the burst was under way when the server was killed"

        check = subprocess.run(["sqlite3", str(s.data_dir / "atrium.db"), "PRAGMA integrity_check;"],
                               capture_output=True, text=True)
        assert check.stdout.strip() == "ok", check.stdout + check.stderr

        s.start()
        try:
            c = s.client()
            names = {u["UserName"] for p in c.get_paginator("list_users").paginate(IdentityStoreId=s.store_id)
                     for u in p["Users"]}
            missing = set(acked) - names
            assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {sorted(missing)[:3]}"
            new_user(c, s.store_id, "after-restart")  # and the store takes writes again
        finally:
            assert s.stop() == 0


def _records(s):
    """(event ids in the store, export records) after the server is gone."""
    stored = subprocess.run(["sqlite3", str(s.data_dir / "atrium.db"), "SELECT event_id FROM audit_events;"],
                            capture_output=True, text=True, check=True).stdout.split()
    exported = [json.loads(l) for l in (s.data_dir / "audit" / "events.jsonl").read_text().splitlines() if l.strip()]
    return set(stored), exported


def test_sigkill_during_reads_and_writes_loses_only_waiting_read_records():
    """Read calls' audit records are batched (docs/audit.md "Durability"): a SIGKILL may lose
    the read records still waiting for their batch (at most 4,096, the queue's bound), never a
    write's record. The export file, written before the store, tells what was answered."""
    with tempfile.TemporaryDirectory(prefix="atrium-crash-") as tmp:
        s = make_server(tmp)
        c = s.client()
        seed = new_user(c, s.store_id, "reader-target")
        acked_writes, lock, stop = [], threading.Lock(), threading.Event()

        def writer(n):
            c = s.client()
            i = 0
            while not stop.is_set():
                try:
                    uid = new_user(c, s.store_id, f"rw-{n}-{i}")
                except Exception:  # the server died under us
                    return
                with lock:
                    acked_writes.append(uid)
                i += 1

        def reader():
            c = s.client()
            while not stop.is_set():
                try:
                    c.describe_user(IdentityStoreId=s.store_id, UserId=seed)
                except Exception:
                    return

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
        threads += [threading.Thread(target=reader) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        s.proc.send_signal(signal.SIGKILL)
        s.proc.wait(timeout=10)
        s.proc = None
        s.stdout.close()
        s.stderr.close()
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert len(acked_writes) > 10, "the burst was under way when the server was killed"

        stored, exported = _records(s)
        reads = [r for r in exported if r["eventName"] == "DescribeUser"]
        assert len(reads) > 50, "reads were answered during the burst"
        lost = [r for r in exported if r["eventID"] not in stored]
        lost_writes = [r for r in lost if not r["readOnly"]]
        assert not lost_writes, f"{len(lost_writes)} write records lost, e.g. {lost_writes[:1]}"
        assert all(r["eventName"] == "DescribeUser" for r in lost), {r["eventName"] for r in lost}
        assert len(lost) <= 4096, len(lost)
        created = {(r.get("responseElements") or {}).get("userId") for r in exported
                   if r["eventName"] == "CreateUser" and r["eventID"] in stored}
        assert set(acked_writes) <= created, "every acknowledged write has its record in the store"

"""SIGKILL in the middle of a burst of writes: every acknowledged write survives, the store opens."""
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

        if s.store_kind == "sqlite":  # PostgreSQL's own files were not touched by the kill
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

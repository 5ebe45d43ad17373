"""One Library from several threads, and reads while another process appends."""

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tandem


def rows(first, n):
    idx = pd.date_range("2024-01-01", periods=first + n, freq="s", tz="UTC",
                        name="timestamp")[first:]
    return pd.DataFrame({"n": np.arange(first, first + n, dtype="int64"),
                         "x": np.arange(first, first + n, dtype="float64") * 0.5,
                         "s": [f"row{i % 7}" for i in range(first, first + n)]}, index=idx)


def check_prefix(df):
    """A consistent read: rows 0..len-1 in order, every column matching its row number."""
    n = len(df)
    assert (df["n"].to_numpy() == np.arange(n)).all()
    assert (df["x"].to_numpy() == np.arange(n) * 0.5).all()
    assert df["s"].tolist() == [f"row{i % 7}" for i in range(n)]
    return n


def test_readers_and_a_writer_on_threads(lib):
    lib.write("s", rows(0, 50_000))
    errors, lengths = [], []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                lengths.append(check_prefix(lib.read("s").data))
        except Exception as error:  # reported below
            errors.append(error)

    def writer():
        try:
            for k in range(20):
                lib.append("s", rows(50_000 + k * 100, 100))
        except Exception as error:
            errors.append(error)

    readers = [threading.Thread(target=reader) for _ in range(3)]
    w = threading.Thread(target=writer)
    for t in readers + [w]:
        t.start()
    w.join(timeout=300)
    stop.set()
    for t in readers:
        t.join(timeout=300)
    assert errors == []
    assert len(lengths) >= 3 and min(lengths) >= 50_000 and max(lengths) <= 52_000
    assert check_prefix(lib.read("s").data) == 52_000


WRITER = textwrap.dedent("""
    import sys
    import numpy as np, pandas as pd
    import tandem
    sys.path.insert(0, sys.argv[2])
    from test_concurrency import rows
    lib = tandem.Store(sys.argv[1])["lib"]
    print("ready", flush=True)
    for k in range(40):
        lib.append("s", rows(1000 + k * 250, 250))
""")


def test_read_while_another_process_appends(tmp_path):
    uri = f"lmdb://{tmp_path}/store"
    lib = tandem.Store(uri).create_library("lib")
    lib.write("s", rows(0, 1000))
    # The writer imports rows() from this file.
    writer = subprocess.Popen([sys.executable, "-c", WRITER, uri, str(Path(__file__).parent)],
                              stdout=subprocess.PIPE, cwd=str(tmp_path))
    assert writer.stdout.readline().strip() == b"ready"
    seen = []
    while writer.poll() is None:
        seen.append(check_prefix(lib.read("s").data))
    assert writer.wait(timeout=300) == 0
    assert seen == sorted(seen) and seen[0] >= 1000
    assert check_prefix(lib.read("s").data) == 11_000
    assert lib.read("s").version == 40


def test_the_gil_is_released_while_the_store_waits(s3rver):
    """A read blocked on a stopped S3 server must leave the interpreter to other threads: the
    main thread checks on the reader while the reader is still inside the store. Were the GIL
    held, the main thread could only run once the read had returned."""
    import os
    import signal
    import time
    import uuid

    lib = tandem.Store(s3rver.uri("gil" + uuid.uuid4().hex[:8])).create_library("lib")
    lib.write("s", rows(0, 1000))
    result = {}
    pid = s3rver.process.pid
    os.kill(pid, signal.SIGSTOP)
    # A watchdog outside this interpreter resumes the server after 5 s whatever happens, so a
    # held GIL fails the assertion below instead of hanging the test.
    watchdog = subprocess.Popen(["sh", "-c", f"sleep 5; kill -CONT {pid}"])
    try:
        reader = threading.Thread(target=lambda: result.setdefault("df", lib.read("s").data))
        reader.start()
        time.sleep(0.5)
        inside_while_main_runs = reader.is_alive()
    finally:
        os.kill(pid, signal.SIGCONT)
    reader.join(timeout=120)
    watchdog.wait(timeout=30)
    assert inside_while_main_runs
    assert check_prefix(result["df"]) == 1000

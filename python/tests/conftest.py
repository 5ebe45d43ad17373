"""Fixtures: a fresh store on every backend (mem, lmdb, s3 against s3rver on loopback)."""

import os
import select
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

# The interpreter these tests run on; the module is built for it (python/CMakeLists.txt).
print(f"tandem python tests on {sys.executable}", file=sys.stderr)
try:
    import pandas  # noqa: F401
except ImportError as error:
    raise SystemExit(f"{sys.executable} cannot import pandas ({error}): the tandem module is built "
                     "for Debian's /usr/bin/python3; run scripts/install-deps "
                     "(python3-pandas)") from None

import tandem  # noqa: E402

SOURCE_DIR = Path(os.environ.get("TANDEM_SOURCE_DIR", Path(__file__).resolve().parents[2]))


class S3rver:
    """scripts/s3rver-start.js on a free loopback port; stops when stdin closes."""

    def __init__(self):
        script = SOURCE_DIR / "scripts" / "s3rver-start.js"
        self.process = subprocess.Popen(
            ["node", "--openssl-legacy-provider", str(script), "--bucket", "tandem-py"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        line = self.process.stdout.readline().decode().strip() if ready else ""
        if not line.isdigit():
            self.stop()
            err = self.process.stderr.read().decode()
            raise RuntimeError(f"s3rver did not start (`node {script}` printed no port; is node "
                               f"installed and did `npm ci` run in tests/e2e?): {err}")
        self.port = int(line)

    def uri(self, prefix):
        return (f"s3://127.0.0.1:{self.port}:tandem-py?access_key=S3RVER&secret_key=S3RVER"
                f"&path_prefix={prefix}")

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def s3rver():
    server = S3rver()
    yield server
    server.stop()


def make_uri(backend, tmp_path, request):
    if backend == "mem":
        return "mem://"
    if backend == "lmdb":
        return f"lmdb://{tmp_path}/store"
    return request.getfixturevalue("s3rver").uri("t" + uuid.uuid4().hex[:12])


@pytest.fixture(params=["mem", "lmdb", "s3"])
def backend(request):
    return request.param


@pytest.fixture
def store_uri(backend, tmp_path, request):
    return make_uri(backend, tmp_path, request)


@pytest.fixture
def store(store_uri):
    return tandem.Store(store_uri)


@pytest.fixture
def lib(store):
    return store.create_library("lib")

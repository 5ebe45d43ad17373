#!/usr/bin/env python3
"""docs/scale-out.md's files are the checked ones: every fenced block marked `file=PATH` equals
PATH; the Kubernetes manifest parses and is an Indexed Job whose completion index is the shard;
the Dockerfile builds from Debian 12 with packages scripts/install-deps installs; the Slurm batch
script is the one tests/sweep/slurm_sweep_test.cc submits."""
import re
import sys
from pathlib import Path

import yaml

root = Path(sys.argv[1])
page = (root / "docs/scale-out.md").read_text()
failures = []

blocks = {}
for match in re.finditer(r"^```(\w+) file=(\S+)\n(.*?)^```$", page, re.S | re.M):
    blocks[match.group(2)] = match.group(3)
for path in ["deploy/kubernetes/sweep-job.yaml", "deploy/Dockerfile", "deploy/slurm/tandem-sweep.sbatch"]:
    if path not in blocks:
        failures.append(f"docs/scale-out.md shows no block of {path}")
    elif blocks[path] != (root / path).read_text():
        failures.append(f"docs/scale-out.md's copy of {path} differs from the file")

documents = list(yaml.safe_load_all((root / "deploy/kubernetes/sweep-job.yaml").read_text()))
kinds = {d["kind"]: d for d in documents}
job, secret = kinds.get("Job"), kinds.get("Secret")
if job is None or secret is None:
    failures.append("the manifest needs a Job and a Secret")
else:
    spec = job["spec"]
    if spec.get("completionMode") != "Indexed":
        failures.append("the Job is not completionMode: Indexed")
    container = spec["template"]["spec"]["containers"][0]
    command = " ".join(container.get("command", []) + container.get("args", []))
    shards = {e["name"]: e.get("value") for e in container.get("env", [])}.get("SHARDS")
    if '--shard "${JOB_COMPLETION_INDEX}/${SHARDS}"' not in command:
        failures.append("the container does not pass JOB_COMPLETION_INDEX as --shard I/N")
    if shards != str(spec.get("completions")):
        failures.append(f"SHARDS={shards} is not the Job's completions ({spec.get('completions')})")
    refs = [e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e]
    if secret["metadata"]["name"] not in refs:
        failures.append("the container does not take its credentials from the Secret")
    if not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} <= set(secret.get("stringData", {})):
        failures.append("the Secret lacks AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY")

dockerfile = (root / "deploy/Dockerfile").read_text()
if not dockerfile.startswith("#") or "FROM debian:12 AS build" not in dockerfile:
    failures.append("the Dockerfile does not build FROM debian:12")
build_stage = dockerfile.split("FROM debian:12-slim")[0]
install = re.search(r"--no-install-recommends(.*?)&&", build_stage, re.S).group(1)
wanted = set(install.replace("\\", " ").split())
deps = (root / "scripts/install-deps").read_text()
# The packages=( ... ) array, one or more names per line; a line's comment is not a package.
block = deps.split("packages=(")[1].split("\n)")[0]
known = set()
for line in block.splitlines():
    known |= set(re.findall(r"[a-z0-9][a-z0-9.+-]+", line.split("#")[0]))
extra = wanted - known - {"ca-certificates"}
if extra:
    failures.append(f"the Dockerfile installs packages scripts/install-deps does not: {sorted(extra)}")

test = (root / "tests/sweep/slurm_sweep_test.cc").read_text()
if '"/deploy/slurm/tandem-sweep.sbatch"' not in test:
    failures.append("the Slurm test does not submit deploy/slurm/tandem-sweep.sbatch")

for failure in failures:
    print("FAIL:", failure)
sys.exit(1 if failures else 0)

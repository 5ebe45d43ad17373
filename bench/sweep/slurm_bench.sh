#!/usr/bin/env bash
# The sweep benchmark's grid (bench/sweep/sweep_bench.cc: 1,000 sma_cross combinations on 10
# symbols x 2,520 bars) against a local s3rver: once as one `tandem sweep --jobs 2` process, once
# as 4 Slurm array tasks (deploy/slurm/tandem-sweep.sbatch on scripts/slurm-local's cluster).
# Prints the wall time of each and the S3 requests per recorded run (s3rver's request trace).
# Run as root from the repository root after building the release preset:
#   bench/sweep/slurm_bench.sh
set -euo pipefail
root=$PWD
tandem=$root/build/release/src/cli/tandem
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

scripts/slurm-local start >/dev/null
export SLURM_CONF=${TANDEM_SLURM_DIR:-/tmp/tandem-slurm}/slurm.conf
TANDEM_S3RVER_TRACE=$work/trace node --openssl-legacy-provider scripts/s3rver-start.js \
  --bucket bench > "$work/port" < <(sleep infinity) &
server=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.2; done
export TANDEM_STORE="s3://127.0.0.1:$(head -n1 "$work/port"):bench?access_key=S3RVER&secret_key=S3RVER"
build/release/bench/sweep/sweep_bench --write-bars "$TANDEM_STORE"
symbols=SYM0,SYM1,SYM2,SYM3,SYM4,SYM5,SYM6,SYM7,SYM8,SYM9
flags=(--strategy sma_cross --symbols "$symbols" --grid fast=2:11:1 --grid slow=20:119:1)
requests() { cat "$work"/trace.* | wc -l; }

before=$(requests)
start=$(date +%s.%N)
"$tandem" sweep --sweep-id one --jobs 2 "${flags[@]}" | tail -n 3
one=$(echo "$(date +%s.%N) - $start" | bc)
one_requests=$(( $(requests) - before ))

before=$(requests)
start=$(date +%s.%N)
job=$(cd "$work" && TANDEM=$tandem SWEEP_ID=slurm sbatch --parsable --array=0-3 \
  "$root/deploy/slurm/tandem-sweep.sbatch" "${flags[@]}")
while [ -n "$(squeue -h -r -j "$job" -o %i 2>/dev/null)" ]; do sleep 0.2; done
slurm=$(echo "$(date +%s.%N) - $start" | bc)
slurm_requests=$(( $(requests) - before ))
"$tandem" sweep status slurm

echo "one process, --jobs 2: ${one} s, $one_requests S3 requests = $(echo "scale=2; $one_requests / 1000" | bc) per run"
echo "4 Slurm array tasks:   ${slurm} s, $slurm_requests S3 requests = $(echo "scale=2; $slurm_requests / 1000" | bc) per run"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

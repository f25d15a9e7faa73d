#!/usr/bin/env bash
# One GPU lease: the fused SDPA backends, forward and backward, on a held-out set of shapes whose
# queries are 2-64x shorter than their keys (pytorch_training_bench.py --grid short-queries --count 24
# --seed 20261208: the set validate/data/predictions/short_queries.csv predicted; further arguments go
# to it), then SDPA math's peak memory at three shapes in a fresh
# process (cublas_workspace_peak.py). Writes under $OUT (default validate/out): environment.txt,
# training.csv, training.log, clocks_during.csv, cublas_workspace_peak.csv, cublas.log,
# environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
source validate/device_run_common.sh
{
  bash validate/print_device_environment.sh
  lscpu | grep -E 'Model name|^CPU\(s\)'
  echo "== command"; echo "python3 validate/pytorch_training_bench.py --grid short-queries --count 24 --seed 20261208 --out \$OUT/training.csv $*"
  echo "python3 validate/cublas_workspace_peak.py --out \$OUT/cublas_workspace_peak.csv"
} > "$OUT/environment.txt" 2>&1
start_clock_log
python3 validate/pytorch_training_bench.py --grid short-queries --count 24 --seed 20261208 --out "$OUT/training.csv" "$@" \
  > "$OUT/training.log" 2>&1
RC=$?
tail -3 "$OUT/training.log"
stop_clock_log
python3 validate/cublas_workspace_peak.py --out "$OUT/cublas_workspace_peak.csv" > "$OUT/cublas.log" 2>&1
cat "$OUT/cublas.log" | tail -9
record_environment_after
exit "$RC"

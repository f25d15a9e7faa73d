#!/usr/bin/env bash
# One GPU lease: every SDPA backend and HF eager, forward and backward, on a held-out set of shapes
# drawn with a fixed seed (pytorch_training_bench.py --grid random; arguments go to it).
# Writes under $OUT (default validate/out): environment.txt, training.csv, training.log,
# clocks_during.csv, environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
source validate/device_run_common.sh
{
  bash validate/print_device_environment.sh
  python3 -c "import transformers; print('transformers', transformers.__version__)"
  lscpu | grep -E 'Model name|^CPU\(s\)'
  echo "== command"; echo "python3 validate/pytorch_training_bench.py --grid random --out \$OUT/training.csv $*"
} > "$OUT/environment.txt" 2>&1
start_clock_log
python3 validate/pytorch_training_bench.py --grid random --out "$OUT/training.csv" "$@" > "$OUT/training.log" 2>&1
RC=$?
tail -5 "$OUT/training.log"
stop_clock_log
record_environment_after
exit "$RC"

#!/usr/bin/env bash
# One GPU lease: every SDPA backend and HF eager, forward and backward, on a held-out set of shapes
# drawn with a fixed seed (pytorch_training_bench.py --grid random; arguments go to it).
# Writes under $OUT (default validate/out): environment.txt, training.csv, training.log,
# clocks_during.csv, environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
{
  bash validate/print_device_environment.sh
  python3 -c "import transformers; print('transformers', transformers.__version__)"
  lscpu | grep -E 'Model name|^CPU\(s\)'
  echo "== command"; echo "python3 validate/pytorch_training_bench.py --grid random --out \$OUT/training.csv $*"
} > "$OUT/environment.txt" 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu \
  --format=csv -lms 500 > "$OUT/clocks_during.csv" 2>&1 &
SMI_PID=$!
python3 validate/pytorch_training_bench.py --grid random --out "$OUT/training.csv" "$@" > "$OUT/training.log" 2>&1
RC=$?
tail -5 "$OUT/training.log"
kill "$SMI_PID" 2>/dev/null
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw --format=csv \
  > "$OUT/environment_after.txt" 2>&1
exit "$RC"

#!/usr/bin/env bash
# One GPU lease: the clock whole-model prefills run at, after idle and under sustained load
# (measure_prefill_clocks.py). Writes under $OUT: environment.txt, forward_times.csv, phase_kernels.csv,
# run.log, clocks_during.csv, environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
{
  bash validate/print_device_environment.sh
  python3 -c 'import transformers, sys; print("transformers", transformers.__version__, "python", sys.version.split()[0])'
  echo "== command"
  echo "python3 validate/capacity/measure_prefill_clocks.py --out-dir \$OUT"
} > "$OUT/environment.txt" 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv -lms 100 \
  > "$OUT/clocks_during.csv" &
clocks=$!
RC=0
python3 validate/capacity/measure_prefill_clocks.py --out-dir "$OUT" > "$OUT/run.log" 2>&1 || RC=$?
kill "$clocks"
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > "$OUT/environment_after.txt" 2>&1
tail -12 "$OUT/run.log"
exit "$RC"

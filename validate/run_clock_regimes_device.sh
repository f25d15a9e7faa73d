#!/usr/bin/env bash
# One GPU lease: burst and sustained calls of the attention kernels with the SM clock logged every
# 100 ms (validate/clock_regimes.py). Writes under $OUT: environment.txt, calls.csv, clocks.csv,
# clock_regimes.log, environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
{
  echo "== date"; date -u
  nvidia-smi
  nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version())"
  echo "== command: python3 validate/clock_regimes.py --out \$OUT/calls.csv $*"
} > "$OUT/environment.txt" 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu,utilization.gpu --format=csv -lms 100 \
  > "$OUT/clocks.csv" 2>&1 &
SMI_PID=$!
python3 validate/clock_regimes.py --out "$OUT/calls.csv" "$@" 2> "$OUT/clock_regimes.log"
RC=$?
kill "$SMI_PID" 2>/dev/null
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > "$OUT/environment_after.txt" 2>&1
cat "$OUT/clock_regimes.log"
exit "$RC"

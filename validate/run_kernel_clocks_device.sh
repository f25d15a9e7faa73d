#!/usr/bin/env bash
# One GPU lease: the SM clock attention kernels hold, by an in-kernel probe around back-to-back and
# isolated calls, and by Nsight Compute's cycle counters per kernel (validate/kernel_clocks.py).
# Writes under $OUT: environment.txt, probe.csv, probe_clocks_smi.csv, grid_points.csv,
# ncu_clocks.csv, kernel_clocks.log, environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
METRICS=gpu__time_duration.sum,sm__cycles_elapsed.avg,sm__cycles_elapsed.avg.per_second,sm__cycles_elapsed.max
{
  echo "== date"; date -u
  nvidia-smi
  nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  python3 -c "import torch, cupy; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version(), 'cupy', cupy.__version__)"
  ncu --version
  echo "== commands"
  echo "python3 validate/kernel_clocks.py probe --out \$OUT/probe.csv"
  echo "ncu --clock-control none --nvtx --metrics $METRICS -f -o \$TMP/clocks python3 validate/kernel_clocks.py grid --out \$OUT/grid_points.csv"
  echo "ncu --import \$TMP/clocks.ncu-rep --csv --page raw > \$OUT/ncu_clocks.csv"
} > "$OUT/environment.txt" 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,power.draw,temperature.gpu,utilization.gpu --format=csv -lms 100 \
  > "$OUT/probe_clocks_smi.csv" 2>&1 &
SMI_PID=$!
python3 validate/kernel_clocks.py probe --out "$OUT/probe.csv" 2> "$OUT/kernel_clocks.log"
RC=$?
kill "$SMI_PID" 2>/dev/null
TMP=$(mktemp -d)
ncu --clock-control none --nvtx --metrics "$METRICS" -f -o "$TMP/clocks" \
  python3 validate/kernel_clocks.py grid --out "$OUT/grid_points.csv" >> "$OUT/kernel_clocks.log" 2>&1 || RC=$?
ncu --import "$TMP/clocks.ncu-rep" --csv --page raw > "$OUT/ncu_clocks.csv" 2>> "$OUT/kernel_clocks.log" || RC=$?
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > "$OUT/environment_after.txt" 2>&1
tail -20 "$OUT/kernel_clocks.log"
exit "$RC"

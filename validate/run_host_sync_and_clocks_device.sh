#!/usr/bin/env bash
# One GPU lease: whether SDPA backends' calls wait for the GPU on the host (validate/sdpa_host_sync.py),
# the SM clock attention kernels hold inside the kernel (validate/kernel_clocks.py grid under Nsight
# Compute), and CUTLASS fMHA forward's pipe counters (--set full). Writes under $OUT: environment.txt,
# host_sync.csv, grid_points.csv, ncu_clocks.csv, cutlass_points.csv, ncu_cutlass.csv, run.log,
# environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
TMP=$(mktemp -d)
METRICS=gpu__time_duration.sum,sm__cycles_elapsed.avg,sm__cycles_elapsed.avg.per_second,sm__cycles_elapsed.max
GRID="--backends sdpa-flash,sdpa-cudnn,sdpa-efficient"
CUTLASS="--backends sdpa-efficient --passes forward --head-dims 64,128 --seqs 4096,16384"
{
  bash validate/print_device_environment.sh
  echo "== commands"
  echo "python3 validate/sdpa_host_sync.py --out \$OUT/host_sync.csv"
  echo "ncu --clock-control none --nvtx --metrics $METRICS -f -o \$TMP/clocks python3 validate/kernel_clocks.py grid $GRID --out \$OUT/grid_points.csv"
  echo "ncu --import \$TMP/clocks.ncu-rep --csv --page raw > \$OUT/ncu_clocks.csv"
  echo "ncu --clock-control none --nvtx --set full -k regex:fmha_cutlassF -f -o \$TMP/cutlass python3 validate/kernel_clocks.py grid $CUTLASS --out \$OUT/cutlass_points.csv"
  echo "ncu --import \$TMP/cutlass.ncu-rep --csv --page raw > \$OUT/ncu_cutlass.csv"
} > "$OUT/environment.txt" 2>&1
RC=0
python3 validate/sdpa_host_sync.py --out "$OUT/host_sync.csv" > "$OUT/run.log" 2>&1 || RC=$?
ncu --clock-control none --nvtx --metrics "$METRICS" -f -o "$TMP/clocks" \
  python3 validate/kernel_clocks.py grid $GRID --out "$OUT/grid_points.csv" >> "$OUT/run.log" 2>&1 || RC=$?
ncu --import "$TMP/clocks.ncu-rep" --csv --page raw > "$OUT/ncu_clocks.csv" 2>> "$OUT/run.log" || RC=$?
ncu --clock-control none --nvtx --set full -k regex:fmha_cutlassF -f -o "$TMP/cutlass" \
  python3 validate/kernel_clocks.py grid $CUTLASS --out "$OUT/cutlass_points.csv" >> "$OUT/run.log" 2>&1 || RC=$?
ncu --import "$TMP/cutlass.ncu-rep" --csv --page raw > "$OUT/ncu_cutlass.csv" 2>> "$OUT/run.log" || RC=$?
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > "$OUT/environment_after.txt" 2>&1
python3 validate/kernel_clocks.py summarize --out "$OUT/grid_points.csv" --ncu "$OUT/ncu_clocks.csv" | tail -4
tail -5 "$OUT/run.log"
exit "$RC"

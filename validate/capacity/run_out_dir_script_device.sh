#!/usr/bin/env bash
# One GPU lease for a whole-model script that writes its files under --out-dir:
#   run_out_dir_script_device.sh SCRIPT CLOCK_INTERVAL_MS [SCRIPT ARGS...]
# runs `python3 validate/capacity/SCRIPT --out-dir $OUT [SCRIPT ARGS...]` and writes beside its files, under $OUT:
# environment.txt (GPU, driver, versions, CPU, load, the command), clocks_during.csv (nvidia-smi
# every CLOCK_INTERVAL_MS), run.log (the script's output), environment_after.txt.
# Reads clocks only: changes no GPU setting.
set -uo pipefail
script=$1
interval_ms=$2
shift 2
cd "$(dirname "$0")/../.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
{
  bash validate/print_device_environment.sh
  python3 -c 'import transformers, sys; print("transformers", transformers.__version__, "python", sys.version.split()[0])'
  echo "== lscpu"; lscpu
  echo "== cpu MHz now"; grep MHz /proc/cpuinfo | sort | uniq -c
  echo "== load"; uptime
  echo "== command"
  echo "python3 validate/capacity/$script --out-dir \$OUT $*"
} > "$OUT/environment.txt" 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv -lms "$interval_ms" \
  > "$OUT/clocks_during.csv" &
clocks=$!
RC=0
python3 "validate/capacity/$script" --out-dir "$OUT" "$@" > "$OUT/run.log" 2>&1 || RC=$?
kill "$clocks"
{
  nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv
  echo "== cpu MHz after"; grep MHz /proc/cpuinfo | sort | uniq -c
  echo "== load after"; uptime
} > "$OUT/environment_after.txt" 2>&1
tail -12 "$OUT/run.log"
exit "$RC"

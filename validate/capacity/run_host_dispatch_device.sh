#!/usr/bin/env bash
# One GPU lease: the host's time per kind of PyTorch call on this machine's CPU and the host-bound
# whole-model forwards it should explain (measure_host_dispatch.py). Writes under $OUT:
# environment.txt (GPU, CPU, versions), host_kinds.csv, forwards.csv, forward_ops.csv,
# host_kinds_after.csv, run.log, clocks_during.csv, environment_after.txt.
# Reads clocks only: changes no GPU setting.
set -uo pipefail
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
  echo "python3 validate/capacity/measure_host_dispatch.py --out-dir \$OUT"
} > "$OUT/environment.txt" 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv -lms 1000 \
  > "$OUT/clocks_during.csv" &
clocks=$!
RC=0
python3 validate/capacity/measure_host_dispatch.py --out-dir "$OUT" > "$OUT/run.log" 2>&1 || RC=$?
kill "$clocks"
{
  nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv
  echo "== cpu MHz after"; grep MHz /proc/cpuinfo | sort | uniq -c
  echo "== load after"; uptime
} > "$OUT/environment_after.txt" 2>&1
tail -8 "$OUT/run.log"
exit "$RC"

#!/usr/bin/env bash
# One GPU lease: which limit sets the SM clock under a GEMM, an HBM-bound add and a model's prefill
# (measure_clock_limits.py; arguments go to it). Writes under $OUT: phases.csv, clock_reasons.csv
# (nvidia-smi every 100 ms: clocks, power and the clock-event reasons) and the run's environment and
# log. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
{ bash validate/print_device_environment.sh; echo "== command"; echo "python3 validate/capacity/measure_clock_limits.py --out-dir \$OUT $*"; } > "$OUT/environment.txt" 2>&1
fields=timestamp,clocks.sm,power.draw,power.limit,temperature.gpu,clocks_event_reasons.active,clocks_event_reasons.sw_power_cap,clocks_event_reasons.hw_slowdown,clocks_event_reasons.hw_power_brake_slowdown,clocks_event_reasons.sw_thermal_slowdown,clocks_event_reasons.hw_thermal_slowdown
if ! nvidia-smi --query-gpu=$fields --format=csv -c 1 > /dev/null 2>&1; then
  fields=${fields//clocks_event_reasons/clocks_throttle_reasons}
fi
nvidia-smi --query-gpu=$fields --format=csv -lms 100 > "$OUT/clock_reasons.csv" &
logger=$!
RC=0
python3 validate/capacity/measure_clock_limits.py --out-dir "$OUT" "$@" > "$OUT/run.log" 2>&1 || RC=$?
kill "$logger"
nvidia-smi -q -d PERFORMANCE,POWER > "$OUT/performance_after.txt" 2>&1
tail -8 "$OUT/run.log"
exit "$RC"

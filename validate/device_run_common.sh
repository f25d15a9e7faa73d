# Sourced by the validate/run_*_device.sh scripts after they cd to the repository root: the output
# folder every device run writes under, and the SM clock, power and temperature log it keeps beside
# its data. Reads clocks only: changes no GPU setting.
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1

# Samples into $OUT/clocks_during.csv every $1 ms (default 500) until stop_clock_log.
start_clock_log() {
  nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu \
    --format=csv -lms "${1:-500}" > "$OUT/clocks_during.csv" 2>&1 &
  CLOCK_LOG_PID=$!
}

stop_clock_log() {
  kill "$CLOCK_LOG_PID" 2>/dev/null
}

# The GPU's state once the runs are over: $OUT/environment_after.txt.
record_environment_after() {
  nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw --format=csv \
    > "$OUT/environment_after.txt" 2>&1
}

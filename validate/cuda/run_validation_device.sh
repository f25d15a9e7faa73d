#!/usr/bin/env bash
# On the GPU machine: the validation runs behind validate/data/<gpu>/ in one script.
#   STAGE=timing    environment, build, --check, the `extended` grid (timed, cold L2), clock log
#   STAGE=profile   ncu DRAM bytes and kernel time for the `ncu` grid and for PyTorch's --profile
#                   grid; compute-sanitizer memcheck, racecheck and synccheck on --check-cases edges
# Run from a folder holding validate/cuda's sources under cuda/ and pytorch_attention_bench.py;
# writes everything under $OUT/w and packs it into $OUT/results.tar.gz. Reads clocks only: it never
# changes clocks, power limits or any other GPU setting (ncu runs with --clock-control none).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
STAGE=${STAGE:-timing}
W="$OUT/w"
mkdir -p "$W"
query() {
  nvidia-smi --query-gpu=timestamp,name,uuid,driver_version,clocks.sm,clocks.max.sm,clocks.applications.graphics,clocks.mem,power.limit,power.draw,temperature.gpu --format=csv
}
{
  echo "== date"; date -u
  echo "== uname"; uname -a
  echo "== nvidia-smi"; nvidia-smi
  echo "== nvidia-smi -q -d CLOCK"; nvidia-smi -q -d CLOCK
  echo "== nvidia-smi --query-gpu (before)"; query
  echo "== nvcc"; nvcc --version
  echo "== ncu"; ncu --version 2>&1
  echo "== compute-sanitizer"; compute-sanitizer --version 2>&1
  echo "== cmake"; cmake --version 2>&1 | head -1
} > "$W/environment_$STAGE.txt" 2>&1

start=$(date +%s)
BIN="$HERE/build/attnsim-bench"
{ cmake -S "$HERE/cuda" -B "$HERE/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 &&
  cmake --build "$HERE/build"; } > "$W/build_$STAGE.log" 2>&1 || {
  echo "== cmake failed: nvcc alone" >> "$W/build_$STAGE.log"
  bash "$HERE/cuda/build_with_nvcc.sh" "$BIN" 90 >> "$W/build_$STAGE.log" 2>&1; }
echo "build exit $? in $(( $(date +%s) - start )) s" | tee -a "$W/build_$STAGE.log"
[ -x "$BIN" ] || { tail -30 "$W/build_$STAGE.log"; exit 1; }

nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu \
  --format=csv -lms 1000 > "$W/clocks_during_$STAGE.csv" 2>&1 &
SMI_PID=$!

if [ "$STAGE" = timing ]; then
  "$BIN" --check > "$W/check.log" 2>&1; echo "check exit $?" | tee -a "$W/check.log"
  tail -1 "$W/check.log"
  "$BIN" --grid extended --max-minutes 5.5 --out "$W/attnsim_bench.csv" > "$W/grid.log" 2>&1
  echo "grid exit $?"; tail -2 "$W/grid.log"
else
  M=dram__bytes_read.sum,dram__bytes_write.sum,gpu__time_duration.sum
  t0=$(date +%s)
  timeout 150 ncu --metrics "$M" --nvtx --clock-control none -f -o "$W/ncu_bench" \
    "$BIN" --grid ncu --profile --out "$W/ncu_bench_runs.csv" > "$W/ncu_bench.log" 2>&1
  echo "ncu bench exit $? in $(( $(date +%s) - t0 )) s"
  ncu -i "$W/ncu_bench.ncu-rep" --csv --page raw --print-units base > "$W/ncu_bench.csv" 2>> "$W/ncu_bench.log"
  t0=$(date +%s)
  PYTHONUNBUFFERED=1 timeout 120 ncu --metrics "$M" --nvtx --clock-control none -f -o "$W/ncu_pytorch" \
    python3 "$HERE/pytorch_attention_bench.py" --profile --out "$W/ncu_pytorch_runs.csv" > "$W/ncu_pytorch.log" 2>&1
  echo "ncu pytorch exit $? in $(( $(date +%s) - t0 )) s"
  ncu -i "$W/ncu_pytorch.ncu-rep" --csv --page raw --print-units base > "$W/ncu_pytorch.csv" 2>> "$W/ncu_pytorch.log"
  mkdir -p "$W/compute_sanitizer"
  for tool in memcheck racecheck synccheck; do
    t0=$(date +%s)
    timeout 100 compute-sanitizer --tool "$tool" --error-exitcode 99 "$BIN" --check --check-cases edges \
      > "$W/compute_sanitizer/$tool.log" 2>&1
    rc=$?
    echo "compute-sanitizer --tool $tool exit $rc in $(( $(date +%s) - t0 )) s" | tee -a "$W/compute_sanitizer/$tool.log"
    tail -3 "$W/compute_sanitizer/$tool.log"
  done
fi
kill "$SMI_PID" 2>/dev/null
{ echo "== nvidia-smi --query-gpu (after)"; query; echo "== nvidia-smi -q -d CLOCK"; nvidia-smi -q -d CLOCK; } \
  > "$W/environment_after_$STAGE.txt" 2>&1
rm -f "$W"/*.ncu-rep.tmp
tar -czf "$OUT/results_$STAGE.tar.gz" -C "$W" .
ls -la "$W" "$OUT"

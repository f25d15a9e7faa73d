#!/usr/bin/env bash
# On the GPU machine, from the repository root: environment capture, build, --check, the full grid,
# a clock log. Writes under $OUT: environment.txt, build.log, check.log, attnsim_bench.csv,
# grid.log, clocks_during.csv, environment_after.txt. Reads clocks only: it never changes clocks,
# power limits or any other GPU setting.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
GRID=${GRID:-full}
MAX_MINUTES=${MAX_MINUTES:-4.5}

{
  echo "== date"; date -u
  echo "== uname"; uname -a
  echo "== nvidia-smi"; nvidia-smi
  echo "== nvidia-smi -q -d CLOCK"; nvidia-smi -q -d CLOCK
  echo "== nvidia-smi --query-gpu"
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  echo "== nvcc"; nvcc --version
  echo "== cmake"; cmake --version 2>&1 | head -1
  echo "== ninja"; ninja --version 2>&1
} > "$OUT/environment.txt" 2>&1

start=$(date +%s)
# The standalone CMake project (validate/cuda needs only the CUDA toolkit); nvcc alone if that fails.
BUILD=1
if command -v cmake >/dev/null && command -v ninja >/dev/null; then
  { cmake -S validate/cuda -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 &&
    cmake --build build-cuda; } > "$OUT/build.log" 2>&1
  BUILD=$?
fi
if [ "$BUILD" -ne 0 ]; then
  echo "== cmake unavailable or failed: nvcc alone" >> "$OUT/build.log"
  bash validate/cuda/build_with_nvcc.sh build-cuda/attnsim-bench 90 >> "$OUT/build.log" 2>&1
  BUILD=$?
fi
echo "build exit $BUILD in $(( $(date +%s) - start )) s" | tee -a "$OUT/build.log"
[ "$BUILD" -eq 0 ] || { tail -40 "$OUT/build.log"; exit "$BUILD"; }

nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu \
  --format=csv -lms 1000 > "$OUT/clocks_during.csv" 2>&1 &
SMI_PID=$!

build-cuda/attnsim-bench --check > "$OUT/check.log" 2>&1
CHECK=$?
grep -E "^FAIL|^check" "$OUT/check.log" | head -40
# The grid runs even after a failed check, so one lease yields both; rows of a backend that failed
# its check are not to be used (the README beside the data says which, if any).
build-cuda/attnsim-bench --grid "$GRID" --max-minutes "$MAX_MINUTES" --out "$OUT/attnsim_bench.csv" > "$OUT/grid.log" 2>&1
GRID_STATUS=$?
kill "$SMI_PID" 2>/dev/null
tail -5 "$OUT/grid.log"
{
  echo "== after the runs: nvidia-smi --query-gpu"
  nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw --format=csv
  echo "== nvidia-smi -q -d CLOCK"; nvidia-smi -q -d CLOCK
} > "$OUT/environment_after.txt" 2>&1
echo "check exit $CHECK, grid exit $GRID_STATUS"
[ "$CHECK" -eq 0 ] && exit "$GRID_STATUS"
exit "$CHECK"

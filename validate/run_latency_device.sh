#!/usr/bin/env bash
# One GPU lease: the dependent-load round trip from L2 and from HBM (validate/cuda/memory_latency.cu).
# Writes under $OUT (default validate/out): environment.txt, memory_latency.csv, memory_latency.log,
# environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
{
  echo "== date"; date -u
  echo "== nvidia-smi"; nvidia-smi
  nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  "$NVCC" --version | tail -2
  echo "== command: $NVCC -std=c++17 -O2 -arch=sm_90 validate/cuda/memory_latency.cu -o \$TMP/attnsim-memory-latency && attnsim-memory-latency $*"
} > "$OUT/environment.txt" 2>&1
bin=$(mktemp -d)/attnsim-memory-latency
"$NVCC" -std=c++17 -O2 -arch=sm_90 validate/cuda/memory_latency.cu -o "$bin" || exit 1
"$bin" "$@" > "$OUT/memory_latency.csv" 2> "$OUT/memory_latency.log"
RC=$?
cat "$OUT/memory_latency.csv"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw --format=csv \
  > "$OUT/environment_after.txt" 2>&1
exit "$RC"

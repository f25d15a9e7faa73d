#!/usr/bin/env bash
# Builds attnsim-bench with nvcc alone, for a GPU machine without CMake. Same sources and flags as
# CMakeLists.txt. Usage: bash validate/cuda/build_with_nvcc.sh [OUTPUT] [ARCH...]  (default: sm_90)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
output="${1:-build-cuda/attnsim-bench}"
shift || true
archs=("${@:-90}")
gencode=()
for a in "${archs[@]}"; do gencode+=("-gencode=arch=compute_${a},code=sm_${a}"); done
mkdir -p "$(dirname "$output")"
# l2_bandwidth.cu is its own program (attnsim-l2-bandwidth), built beside attnsim-bench.
sources=()
for f in "$here"/*.cpp "$here"/*.cu; do [[ "$f" == */l2_bandwidth.cu ]] || sources+=("$f"); done
nvcc -std=c++17 -O3 -lineinfo --Werror=all-warnings -Xcompiler=-Wall,-Wextra "${gencode[@]}" \
  "${sources[@]}" -lcublas -ldl -o "$output"
nvcc -std=c++17 -O3 --Werror=all-warnings -Xcompiler=-Wall,-Wextra "${gencode[@]}" \
  "$here"/l2_bandwidth.cu -o "$(dirname "$output")/attnsim-l2-bandwidth"
echo "built $output for ${archs[*]}"

#!/usr/bin/env bash
# The default study: eager vs FlashAttention-2 vs FlashAttention-3 on H100 SXM and RTX 4090,
# N = 512 ... 131072, table, fitted log-log slopes and the plot study.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
./build/attnsim sweep --plot study.svg "$@"
echo "plot: $(pwd)/study.svg"

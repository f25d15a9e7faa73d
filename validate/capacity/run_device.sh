#!/usr/bin/env bash
# Records the GPU's environment, then measures whole-model peak memory (measure_peak_memory.py).
# Writes under $OUT: environment.txt, peak_memory.csv, peak_memory.log. Reads clocks only.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
{
  echo "== date"; date -u
  echo "== nvidia-smi"; nvidia-smi
  echo "== nvidia-smi --query-gpu"
  nvidia-smi --query-gpu=name,uuid,driver_version,memory.total,clocks.sm,clocks.mem,power.limit --format=csv
  echo "== python / torch / transformers"
  python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda); print("transformers", transformers.__version__); print(torch.cuda.get_device_properties(0))'
} > "$OUT/environment.txt" 2>&1
python3 validate/capacity/measure_peak_memory.py --out "$OUT/peak_memory.csv" "$@" 2> "$OUT/peak_memory.log"
echo "exit $?" >> "$OUT/peak_memory.log"
nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv >> "$OUT/environment.txt" 2>&1

#!/usr/bin/env bash
# Records the GPU's environment, then measures whole-model peak memory (measure_peak_memory.py) and
# prefill time (measure_prefill_time.py, with clocks logged once a second). Writes under $OUT:
# environment.txt, peak_memory.csv/.log, prefill_time.csv/.log, clocks_during.csv, clocks_after.csv.
# Reads clocks only: never changes clocks, power limits or any other GPU setting.
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
python3 validate/capacity/measure_peak_memory.py --out "$OUT/peak_memory.csv" 2> "$OUT/peak_memory.log"
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv -lms 1000 > "$OUT/clocks_during.csv" &
clocks=$!
python3 validate/capacity/measure_prefill_time.py --out "$OUT/prefill_time.csv" 2> "$OUT/prefill_time.log"
kill "$clocks"
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.mem,power.limit --format=csv > "$OUT/clocks_after.csv"

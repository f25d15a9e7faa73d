#!/usr/bin/env bash
# Second whole-model memory run (validate/data/<gpu>/capacity/peak_memory_v2.*): records the GPU's
# environment and the memory the runtime leaves usable, then measures peak memory with and without a
# KV cache for the small models, and one large patterned model (Gemma 3 27B, SDPA only) last.
# Writes under $OUT: environment.txt, peak_memory_v2.csv, peak_memory_v2.log.
# Reads GPU state only: never changes clocks, power limits or any other GPU setting.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
{
  echo "== date"; date -u
  echo "== nvidia-smi"; nvidia-smi
  echo "== nvidia-smi --query-gpu"
  nvidia-smi --query-gpu=name,uuid,driver_version,memory.total,memory.used,memory.free,clocks.sm,clocks.mem,power.limit --format=csv
  echo "== python / torch / transformers"
  python3 -c 'import torch, transformers; print("torch", torch.__version__, "cuda", torch.version.cuda); print("transformers", transformers.__version__); print(torch.cuda.get_device_properties(0)); print("mem_get_info (free, total)", torch.cuda.mem_get_info())'
  python3 -c 'import mamba_ssm; print("mamba_ssm", mamba_ssm.__version__)' 2>&1 | tail -1
  python3 -c 'import causal_conv1d; print("causal_conv1d present")' 2>&1 | tail -1
} > "$OUT/environment.txt" 2>&1
echo "== command: python3 validate/capacity/measure_peak_memory.py --out \$OUT/peak_memory_v2.csv" >> "$OUT/environment.txt"
timeout 240 python3 validate/capacity/measure_peak_memory.py --out "$OUT/peak_memory_v2.csv" 2> "$OUT/peak_memory_v2.log"
echo "== command: python3 validate/capacity/measure_peak_memory.py --out \$OUT/peak_memory_v2.csv --append --models gemma-3-27b --impls sdpa --logits last --seqs 4096,16384,32768" >> "$OUT/environment.txt"
timeout 70 python3 validate/capacity/measure_peak_memory.py --out "$OUT/peak_memory_v2.csv" --append \
  --models gemma-3-27b --impls sdpa --logits last --seqs 4096,16384,32768 2>> "$OUT/peak_memory_v2.log"
nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.mem,power.limit --format=csv >> "$OUT/environment.txt"

#!/usr/bin/env bash
# One GPU lease: the instruction-path microbenchmark (attnsim-tensor-paths), PyTorch's kernel-class
# and overhead microbenchmarks, and every SDPA backend and HF eager forward and backward.
# Writes under $OUT (default validate/out): environment.txt, tensor_paths.csv, microbench.csv,
# training.csv, training.log, clocks_during.csv, environment_after.txt.
# Reads clocks only: never changes clocks, power limits or any other GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
source validate/device_run_common.sh
PY=${PYTHON:-python3}
{
  echo "== date"; date -u
  echo "== nvidia-smi"; nvidia-smi
  echo "== nvidia-smi -q -d CLOCK"; nvidia-smi -q -d CLOCK
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  echo "== nvcc"; nvcc --version | tail -2
  $PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version()); print(torch.cuda.get_device_properties(0))"
  $PY -c "import transformers; print('transformers', transformers.__version__)"
  lscpu | grep -E 'Model name|^CPU\(s\)'
} > "$OUT/environment.txt" 2>&1
start_clock_log
{
  echo "== nvcc -O3 -gencode=arch=compute_90,code=sm_90 validate/cuda/tensor_paths.cu"
  nvcc -O3 -std=c++17 -gencode=arch=compute_90,code=sm_90 -o /tmp/attnsim-tensor-paths validate/cuda/tensor_paths.cu &&
    cuobjdump --dump-sass /tmp/attnsim-tensor-paths | grep -oE 'HMMA[.A-Z0-9]*|MUFU[.A-Z0-9]*' | sort | uniq -c
  echo "== /tmp/attnsim-tensor-paths 200000"
} >> "$OUT/environment.txt" 2>&1
/tmp/attnsim-tensor-paths 200000 > "$OUT/tensor_paths.csv" 2>> "$OUT/environment.txt"
cat "$OUT/tensor_paths.csv"
$PY validate/pytorch_microbench.py --out "$OUT/microbench.csv" 2>&1 | tail -5
$PY validate/pytorch_training_bench.py --out "$OUT/training.csv" --max-minutes "${MAX_MINUTES:-6}" > "$OUT/training.log" 2>&1
RC=$?
tail -15 "$OUT/training.log"
stop_clock_log
{
  nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw --format=csv
  nvidia-smi -q -d CLOCK
} > "$OUT/environment_after.txt" 2>&1
exit "$RC"

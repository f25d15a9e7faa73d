#!/usr/bin/env bash
# One GPU lease: every kernel of the attention calls attnsim prices as chains (decode and training
# shapes, each PyTorch backend and HF eager) and the papers' "standard attention" baseline timed.
# Writes under $OUT (default validate/out): environment.txt, kernels.csv, standard.csv,
# breakdown.log, clocks_during.csv, environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-validate/out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
PY=${PYTHON:-python3}
{
  echo "== date"; date -u
  echo "== nvidia-smi"; nvidia-smi
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  $PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version()); print(torch.cuda.get_device_properties(0))"
  lscpu | grep -E 'Model name|^CPU\(s\)'
  echo "== command: $PY validate/pytorch_kernel_breakdown.py --kernels $OUT/kernels.csv --standard $OUT/standard.csv $*"
} > "$OUT/environment.txt" 2>&1
nvidia-smi --query-gpu=timestamp,clocks.sm,clocks.mem,temperature.gpu,power.draw,utilization.gpu \
  --format=csv -lms 500 > "$OUT/clocks_during.csv" 2>&1 &
SMI_PID=$!
$PY validate/pytorch_kernel_breakdown.py --kernels "$OUT/kernels.csv" --standard "$OUT/standard.csv" "$@" \
  > "$OUT/breakdown.log" 2>&1
RC=$?
tail -40 "$OUT/breakdown.log"
kill "$SMI_PID" 2>/dev/null
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw --format=csv \
  > "$OUT/environment_after.txt" 2>&1
exit "$RC"

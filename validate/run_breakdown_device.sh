#!/usr/bin/env bash
# One GPU lease: every kernel of the attention calls attnsim prices as chains (decode and training
# shapes, each PyTorch backend and HF eager) and the papers' "standard attention" baseline timed.
# Writes under $OUT (default validate/out): environment.txt, kernels.csv, standard.csv,
# breakdown.log, clocks_during.csv, environment_after.txt. Reads clocks only: changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
source validate/device_run_common.sh
PY=${PYTHON:-python3}
{
  echo "== date"; date -u
  echo "== nvidia-smi"; nvidia-smi
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  $PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version()); print(torch.cuda.get_device_properties(0))"
  lscpu | grep -E 'Model name|^CPU\(s\)'
  echo "== command: $PY validate/pytorch_kernel_breakdown.py --kernels $OUT/kernels.csv --standard $OUT/standard.csv $*"
} > "$OUT/environment.txt" 2>&1
start_clock_log
$PY validate/pytorch_kernel_breakdown.py --kernels "$OUT/kernels.csv" --standard "$OUT/standard.csv" "$@" \
  > "$OUT/breakdown.log" 2>&1
RC=$?
tail -40 "$OUT/breakdown.log"
stop_clock_log
record_environment_after
exit "$RC"

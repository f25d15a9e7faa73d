#!/usr/bin/env bash
# Records the GPU's environment, runs the benchmark's --quick check, then the full grid.
# Writes under $OUT (default validate/out): environment.txt, environment_after.txt,
# clocks_during.csv, quick.csv, quick.log, pytorch_attention.csv, full.log.
# Reads clocks only: never changes clocks, power limits or any other GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
source validate/device_run_common.sh
PY=${PYTHON:-python3}

{
  echo "== date"; date -u
  echo "== uname"; uname -a
  echo "== nvidia-smi"; nvidia-smi
  echo "== nvidia-smi -q -d CLOCK"; nvidia-smi -q -d CLOCK
  echo "== nvidia-smi --query-gpu"
  nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  echo "== python / torch"
  $PY --version
  $PY - <<'EOF'
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())
print(torch.cuda.get_device_properties(0))
print("matmul.allow_tf32", torch.backends.cuda.matmul.allow_tf32)
for mod in ("flash_attn", "flash_attn_interface", "transformers"):
    try:
        m = __import__(mod)
        print(mod, getattr(m, "__version__", "(no __version__)"))
    except Exception as e:
        print(mod, "NOT AVAILABLE:", type(e).__name__, str(e).splitlines()[0] if str(e) else "")
EOF
  echo "== pip list (selected)"
  $PY -m pip list 2>/dev/null | grep -iE '^(torch|triton|transformers|flash|nvidia-cudnn|nvidia-cublas)'
  echo "== transformers' eager attention (reference for hf-eager)"
  $PY - <<'EOF'
import inspect
try:
    import transformers.models.llama.modeling_llama as m
    print(inspect.getsource(m.repeat_kv))
    print(inspect.getsource(m.eager_attention_forward))
except Exception as e:
    print("not available:", e)
EOF
} > "$OUT/environment.txt" 2>&1

start_clock_log 1000

$PY validate/pytorch_attention_bench.py --quick --out "$OUT/quick.csv" 2>&1 | tee "$OUT/quick.log"
QUICK=$?
if [ "$QUICK" -eq 0 ]; then
  $PY validate/pytorch_attention_bench.py --out "$OUT/pytorch_attention.csv" --max-minutes "${MAX_MINUTES:-6.5}" \
    2>&1 | tee "$OUT/full.log"
  FULL=$?
else
  echo "quick check failed (exit $QUICK): full grid not run"
  FULL=$QUICK
fi

stop_clock_log
{
  echo "== after the runs: nvidia-smi --query-gpu"
  nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,temperature.gpu,power.draw --format=csv
  echo "== nvidia-smi -q -d CLOCK"; nvidia-smi -q -d CLOCK
} > "$OUT/environment_after.txt" 2>&1
exit "$FULL"

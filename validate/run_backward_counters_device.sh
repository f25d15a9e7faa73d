#!/usr/bin/env bash
# One GPU lease: what cuDNN's sm90 backward does at head dim 256 that it does not at 64 and 128, and
# what CUTLASS fMHA's backward waits on at d = 256 with a causal mask. Nsight Compute's full set
# (pipe activity, warp stall reasons, instruction mix) plus the tensor pipe's active cycles and
# local-memory (register spill) traffic of each backward kernel, for the SDPA points of
# validate/kernel_clocks.py grid. On an H200 it also measures the burst clock the way
# validate/run_kernel_clocks_device.sh does (clocks/). Everything is packed into one archive, $OUT/
# backward_counters.tar.gz (the device tool returns at most 8 files). Reads clocks only: changes no
# GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-validate/out}
WORK=$(mktemp -d)/backward_counters
mkdir -p "$WORK" "$OUT"
TMP=$(mktemp -d)
CUDNN="--backends sdpa-cudnn --passes backward --head-dims 64,128,256 --seqs 4096"
CUTLASS="--backends sdpa-efficient --passes backward --head-dims 128,256 --seqs 1024"
# Asked for by name where this ncu knows them (a name it does not know stops the whole run).
WANTED="sm__pipe_tensor_op_gmma_cycles_active sm__pipe_tensor_op_hmma_cycles_active \
smsp__inst_executed_pipe_tensor_op_gmma smsp__inst_executed_pipe_tensor_op_hmma \
l1tex__t_bytes_pipe_lsu_mem_local_op_ld l1tex__t_bytes_pipe_lsu_mem_local_op_st \
smsp__inst_executed_pipe_xu sm__cycles_elapsed"
ncu --query-metrics > "$WORK/ncu_metrics_available.txt" 2>&1
METRICS=gpu__time_duration.sum,launch__registers_per_thread,launch__grid_size,launch__block_size
for m in $WANTED; do
  if grep -q "^$m " "$WORK/ncu_metrics_available.txt"; then METRICS="$METRICS,$m.sum,$m.avg"; fi
done
{
  echo "== date"; date -u
  nvidia-smi
  nvidia-smi --query-gpu=name,uuid,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.limit,temperature.gpu --format=csv
  python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'cudnn', torch.backends.cudnn.version())"
  ncu --version
  echo "== commands"
  echo "ncu --clock-control none --nvtx --set full --metrics $METRICS -k regex:bprop -f -o \$TMP/cudnn python3 validate/kernel_clocks.py grid $CUDNN --out cudnn_points.csv"
  echo "ncu --import \$TMP/cudnn.ncu-rep --csv --page raw > ncu_cudnn_backward.csv"
  echo "ncu --clock-control none --nvtx --set full --metrics $METRICS -k regex:fmha_cutlassB -f -o \$TMP/cutlass python3 validate/kernel_clocks.py grid $CUTLASS --out cutlass_points.csv"
  echo "ncu --import \$TMP/cutlass.ncu-rep --csv --page raw > ncu_cutlass_backward.csv"
  echo "on an H200 only: OUT=clocks bash validate/run_kernel_clocks_device.sh"
} > "$WORK/environment.txt" 2>&1
RC=0
ncu --clock-control none --nvtx --set full --metrics "$METRICS" -k regex:bprop -f -o "$TMP/cudnn" \
  python3 validate/kernel_clocks.py grid $CUDNN --out "$WORK/cudnn_points.csv" > "$WORK/run.log" 2>&1 || RC=$?
ncu --import "$TMP/cudnn.ncu-rep" --csv --page raw > "$WORK/ncu_cudnn_backward.csv" 2>> "$WORK/run.log" || RC=$?
ncu --clock-control none --nvtx --set full --metrics "$METRICS" -k regex:fmha_cutlassB -f -o "$TMP/cutlass" \
  python3 validate/kernel_clocks.py grid $CUTLASS --out "$WORK/cutlass_points.csv" >> "$WORK/run.log" 2>&1 || RC=$?
ncu --import "$TMP/cutlass.ncu-rep" --csv --page raw > "$WORK/ncu_cutlass_backward.csv" 2>> "$WORK/run.log" || RC=$?
if nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200; then
  OUT="$WORK/clocks" bash validate/run_kernel_clocks_device.sh >> "$WORK/run.log" 2>&1 || RC=$?
fi
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv > "$WORK/environment_after.txt" 2>&1
tar -C "$(dirname "$WORK")" -czf "$OUT/backward_counters.tar.gz" backward_counters
tail -15 "$WORK/run.log"
ls -la "$WORK" "$WORK/clocks" 2>/dev/null
exit "$RC"

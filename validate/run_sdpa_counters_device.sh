#!/usr/bin/env bash
# One GPU lease: Nsight Compute's counters for chosen SDPA kernels (validate/kernel_clocks.py grid
# points), to read what a kernel does beyond its nominal work: the tensor pipe's active cycles
# against the FLOPs, MUFU (XU) instructions, local-memory (register spill) bytes, DRAM and L2 bytes,
# launch shape, and with --set full the warps' stall reasons. On an H200 it also measures the burst
# clock as validate/run_kernel_clocks_device.sh does (clocks/).
#
#   bash validate/run_sdpa_counters_device.sh ARCHIVE LABEL 'GRID ARGS' KERNEL_REGEX [LABEL ...]
#
# For each (LABEL, GRID ARGS, KERNEL_REGEX): LABEL_points.csv (the grid's points) and ncu_LABEL.csv
# (the profiled kernels matching KERNEL_REGEX, warm-up and timed call of every point). Everything
# is packed into $OUT/ARCHIVE.tar.gz (the device tool returns at most 8 files). Reads clocks only:
# changes no GPU setting.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if (($# < 4 || ($# - 1) % 3 != 0)); then
  echo "usage: $0 ARCHIVE LABEL 'GRID ARGS' KERNEL_REGEX [LABEL 'GRID ARGS' KERNEL_REGEX ...]" >&2
  exit 2
fi
ARCHIVE=$1
shift
OUT=${OUT:-validate/out}
STAGE=$(mktemp -d)
TMP=$(mktemp -d)
trap 'rm -rf "$STAGE" "$TMP"' EXIT
WORK=$STAGE/$ARCHIVE
mkdir -p "$WORK" "$OUT"
# Asked for by name where this ncu knows them (a name it does not know stops the whole run).
WANTED="sm__pipe_tensor_op_gmma_cycles_active sm__pipe_tensor_op_hmma_cycles_active \
smsp__inst_executed_pipe_tensor_op_gmma smsp__inst_executed_pipe_tensor_op_hmma \
l1tex__t_bytes_pipe_lsu_mem_local_op_ld l1tex__t_bytes_pipe_lsu_mem_local_op_st \
smsp__inst_executed_pipe_xu sm__cycles_elapsed"
ncu --query-metrics > "$WORK/ncu_metrics_available.txt" 2>&1 ||
  echo "ncu --query-metrics failed: only the base metrics and --set full are asked for" >&2
METRICS=gpu__time_duration.sum,launch__registers_per_thread,launch__grid_size,launch__block_size
for m in $WANTED; do
  if grep -q "^$m " "$WORK/ncu_metrics_available.txt"; then METRICS="$METRICS,$m.sum,$m.avg"; fi
done
{
  bash validate/print_device_environment.sh
  echo "== commands"
} > "$WORK/environment.txt" 2>&1
RC=0
: > "$WORK/run.log"
while (($# >= 3)); do
  LABEL=$1 GRID=$2 REGEX=$3
  shift 3
  {
    echo "ncu --clock-control none --nvtx --set full --metrics $METRICS -k regex:$REGEX -f -o \$TMP/$LABEL \\"
    echo "  python3 validate/kernel_clocks.py grid $GRID --out ${LABEL}_points.csv"
  } >> "$WORK/environment.txt"
  echo "ncu --import \$TMP/$LABEL.ncu-rep --csv --page raw > ncu_$LABEL.csv" >> "$WORK/environment.txt"
  # shellcheck disable=SC2086  # GRID is a list of arguments
  ncu --clock-control none --nvtx --set full --metrics "$METRICS" -k "regex:$REGEX" -f -o "$TMP/$LABEL" \
    python3 validate/kernel_clocks.py grid $GRID --out "$WORK/${LABEL}_points.csv" >> "$WORK/run.log" 2>&1 || RC=$?
  ncu --import "$TMP/$LABEL.ncu-rep" --csv --page raw > "$WORK/ncu_$LABEL.csv" 2>> "$WORK/run.log" || RC=$?
done
if nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H200; then
  echo "on an H200: OUT=clocks bash validate/run_kernel_clocks_device.sh" >> "$WORK/environment.txt"
  OUT="$WORK/clocks" bash validate/run_kernel_clocks_device.sh >> "$WORK/run.log" 2>&1 || RC=$?
fi
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv \
  > "$WORK/environment_after.txt" 2>&1
tar -C "$STAGE" -czf "$OUT/$ARCHIVE.tar.gz" "$ARCHIVE" || RC=$?
tail -15 "$WORK/run.log"
ls -la "$WORK" "$WORK/clocks" 2>/dev/null
exit "$RC"

#!/usr/bin/env bash
# One GPU lease: the host's time per kind of PyTorch call on this machine's CPU and the host-bound
# whole-model forwards it should explain (measure_host_dispatch.py). Writes under $OUT:
# host_kinds.csv, forwards.csv, forward_ops.csv, host_kinds_after.csv and the run's environment,
# clocks (every second) and log (run_out_dir_script_device.sh).
exec bash "$(dirname "$0")/run_out_dir_script_device.sh" measure_host_dispatch.py 1000 "$@"

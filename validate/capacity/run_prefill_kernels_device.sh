#!/usr/bin/env bash
# One GPU lease: every kernel of whole-model prefills, with the module and operator that launched it
# (measure_prefill_kernels.py). Writes under $OUT: kernels.csv, forwards.csv and the run's
# environment, clocks (every second) and log (run_out_dir_script_device.sh).
exec bash "$(dirname "$0")/run_out_dir_script_device.sh" measure_prefill_kernels.py 1000 "$@"

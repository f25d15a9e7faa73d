#!/usr/bin/env bash
# One GPU lease: the clock whole-model prefills run at, after idle and under sustained load
# (measure_prefill_clocks.py). Writes under $OUT: forward_times.csv, phase_kernels.csv and the run's
# environment, clocks (every 100 ms) and log (run_out_dir_script_device.sh).
exec bash "$(dirname "$0")/run_out_dir_script_device.sh" measure_prefill_clocks.py 100 "$@"

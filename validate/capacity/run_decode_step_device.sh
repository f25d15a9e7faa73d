#!/usr/bin/env bash
# One GPU lease: whole-model decode steps with a filled DynamicCache, timed and traced
# (measure_decode_step.py; arguments go to it, e.g. --points host). Writes under $OUT: decode_steps.csv, decode_kernels.csv and the run's
# environment, clocks (every second) and log (run_out_dir_script_device.sh).
exec bash "$(dirname "$0")/run_out_dir_script_device.sh" measure_decode_step.py 1000 "$@"

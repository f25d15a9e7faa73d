#!/usr/bin/env bash
# One GPU lease: cProfile of a transformers decode step's host work (profile_decode_host.py; arguments
# go to it). Writes under $OUT: decode_host_profile.txt, decode_host_steps.csv and the run's
# environment, clocks and log (run_out_dir_script_device.sh).
exec bash "$(dirname "$0")/run_out_dir_script_device.sh" profile_decode_host.py 1000 "$@"

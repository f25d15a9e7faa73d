#!/usr/bin/env bash
# One GPU lease: cuBLAS GEMMs at language models' projection shapes (measure_gemm_grid.py; arguments go
# to it). Writes under $OUT: gemm_grid.csv and the run's environment, clocks (every 200 ms) and log
# (run_out_dir_script_device.sh).
exec bash "$(dirname "$0")/run_out_dir_script_device.sh" measure_gemm_grid.py 200 "$@"

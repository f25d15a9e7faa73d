#!/usr/bin/env bash
# One GPU lease: what cuDNN's sm90 backward does at head dim 256 that it does not at 64 and 128, and
# what CUTLASS fMHA's backward waits on at d = 256 with a causal mask (Nsight Compute, through
# validate/run_sdpa_counters_device.sh); $OUT/backward_counters.tar.gz.
# Data: validate/data/h100-sxm/backward_counters/.
cd "$(dirname "$0")/.." || exit 1
exec bash validate/run_sdpa_counters_device.sh backward_counters \
  cudnn_backward "--backends sdpa-cudnn --passes backward --head-dims 64,128,256 --seqs 4096" bprop \
  cutlass_backward "--backends sdpa-efficient --passes backward --head-dims 128,256 --seqs 1024" fmha_cutlassB

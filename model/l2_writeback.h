// The L2 is a write-back cache: a kernel's stores reach DRAM when their lines are evicted, not when
// the kernel ends. Nsight Compute (--cache-control all, its default) flushes the caches before each
// kernel it measures, so what a kernel wrote and the L2 still held at its end is written back
// between two measured kernels, and no kernel's dram__bytes_write.sum counts it.
#pragma once

#include "model/cost.h"
#include "model/gpu.h"
#include "model/prediction.h"

namespace attnsim {

// Bytes of a kernel's writes still dirty in L2 when it ends: all of them where its traffic (reads
// and writes) fits in L2, since nothing had to be evicted. Where it does not fit, part of the output
// written last stays too, but how much depends on the kernel's order of stores and the L2's
// replacement (Nsight Compute on the H100 at N = 4096, d = 128, 134 MB of traffic: 0 MB left by
// FlashAttention-2, 7-9 MB by CUTLASS fMHA, 4-15 MB by attnsim-bench's kernels;
// validate/data/h100-sxm/ncu/): counted as written.
double writes_left_in_l2(const KernelCost& kernel, const Gpu& gpu);

// The call's predicted HBM bytes that Nsight Compute counts, kernel by kernel.
double ncu_counted_dram_bytes(const Prediction& p, const Gpu& gpu);

}  // namespace attnsim

// The L2 is a write-back cache: a kernel's stores reach DRAM when their lines are evicted, not when
// the kernel ends. What a call's last kernel wrote and the L2 still holds at its end is written back
// during whatever runs next, so a per-kernel DRAM counter (Nsight Compute's dram__bytes_write.sum)
// does not see it, and a short call's output may never slow the call itself.
#pragma once

#include "model/gpu.h"
#include "model/prediction.h"

namespace attnsim {

// Bytes of the last kernel's writes still dirty in L2 when it ends: all of them where its traffic
// (reads and writes) fits in L2, since nothing had to be evicted. Where it does not fit, part of the
// output written last stays too, but how much depends on the kernel's order of stores and the L2's
// replacement (Nsight Compute on the H100 at N = 4096, d = 128, 134 MB of traffic: 0 MB left by
// FlashAttention-2, 7-9 MB by CUTLASS fMHA, 4-15 MB by attnsim-bench's kernels;
// validate/data/h100-sxm/ncu/): counted as written.
double output_bytes_left_in_l2(const Prediction& p, const Gpu& gpu);

// The call's predicted HBM bytes that reach DRAM while its kernels run.
double dram_bytes_during_call(const Prediction& p, const Gpu& gpu);

}  // namespace attnsim

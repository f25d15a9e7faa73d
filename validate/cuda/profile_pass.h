// One call per row under a profiler (Nsight Compute), bracketed so that a report's kernels can be
// matched to the rows without reading NVTX columns: a one-thread kernel named
// attnsim_run_marker runs immediately before and immediately after the profiled call, so the
// kernels between the (2k)-th and (2k+1)-th marker are the call of the k-th `ok` row that the
// same run wrote. The call also sits in an NVTX push/pop range named after the row
// ("attnsim-flash2 128x64 B=1 H=32 ..."), for ncu --nvtx-include and for Nsight's timelines.
// No warm-up and no L2 flush: ncu flushes the caches before every kernel it profiles
// (--cache-control all, its default), so DRAM bytes are those of a cold call.
#pragma once

#include "backends.h"
#include "measured_csv.h"

namespace attnsim::bench {

inline constexpr const char* kRunMarkerKernel = "attnsim_run_marker";
inline constexpr const char* kProfiledTiming = "one-call-under-profiler";

// The row carries the call's CUDA-event time (repeats = 1, timing = kProfiledTiming), which a
// profiler's replays inflate: compare the profiler's own kernel durations instead.
MeasuredRow profile_backend(const BackendChoice& choice, const AttentionShape& shape, const DeviceTensors& tensors,
                            const BackendContext& context, cudaStream_t stream, std::string* note);

}  // namespace attnsim::bench

// One CSV row: prepare a backend on given inputs, time it cold (cold_timing.h), and record its
// extra memory. Failures that are results (out of memory, a shape the backend refuses) become the
// row's status; any other CUDA error is recorded and then rethrown, since the context is gone.
#pragma once

#include "attention_path.h"
#include "backends.h"
#include "cold_timing.h"
#include "measured_csv.h"

namespace attnsim::bench {

MeasuredRow measure_backend(const BackendChoice& choice, const AttentionShape& shape, const DeviceTensors& tensors,
                            const BackendContext& context, L2Flusher& flusher, cudaStream_t stream, std::string* note);

// A row with no measurement: status "oom", "skipped: ...", and so on.
MeasuredRow unmeasured_row(const BackendChoice& choice, const AttentionShape& shape, const std::string& status);

// FLOPs of the two matrix products over the visible (query, key) pairs, for the log's TFLOP/s.
double attention_flops(const AttentionShape& shape);

}  // namespace attnsim::bench

// Context parallelism (ring attention, Liu et al. arXiv 2310.01889) for a prefill over P GPUs: each
// GPU holds N/P tokens (load-balanced "zigzag" halves, as Llama 3 does, arXiv 2407.21783 Sec. 3.3.2),
// computes its diagonal block, then P - 1 steps each attending to a key/value block received from its
// ring neighbour while sending its own on. A step costs the longer of its compute and its transfer.
#pragma once

#include "capacity/memory.h"
#include "capacity/phase_time.h"

namespace attnsim::capacity {

struct RingPrefill {
  int gpus = 1;
  std::int64_t tokens_per_gpu = 0;
  MemoryBreakdown memory;               // one GPU at N/P tokens
  double ring_buffer_bytes = 0;         // the key/value block in flight and the one being received
  double peak_bytes = 0;                // memory.total_bytes + ring_buffer_bytes
  double diagonal_seconds = 0;          // per layer: causal attention over the GPU's own block
  double step_compute_seconds = 0;      // per layer and ring step: half a full block (zigzag balance)
  double step_transfer_seconds = 0;     // per layer and ring step: one K and V block over the interconnect
  double exposed_transfer_seconds = 0;  // all layers: transfer time not hidden under compute
  double attention_seconds = 0;         // all layers
  double other_seconds = 0;             // GEMMs, elementwise kernels and launch gaps over N/P tokens
  double total_seconds = 0;
};

// Throws InvalidInput for SSM layers (not modelled here) or a GPU without interconnect_gb_per_s
// when gpus > 1 and no bandwidth is given.
RingPrefill ring_prefill(const ModelConfig& model, const Gpu& gpu, const Scenario& scenario, int gpus,
                         std::optional<double> interconnect_bytes_per_second = std::nullopt);

}  // namespace attnsim::capacity

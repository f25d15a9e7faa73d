#include "capacity/context_parallel.h"

#include <algorithm>
#include <cmath>

#include "capacity/layer_workloads.h"
#include "model/error.h"

namespace attnsim::capacity {

RingPrefill ring_prefill(const ModelConfig& m, const Gpu& gpu, const Scenario& s, int gpus,
                         std::optional<double> interconnect_bytes_per_second) {
  if (m.has_ssm())
    throw InvalidInput("model",
                       "context parallelism is modelled for attention-only models; '" + m.id + "' has SSM layers");
  // A local layer's ring would pass only the last `window` keys of the neighbour's block; pricing
  // every layer as global would overstate the transfers, so patterned models are refused.
  if (m.attention_pattern) {
    throw InvalidInput("model", "context parallelism is modelled for models whose layers all attend alike; '" + m.id +
                                    "' has an [attention_pattern]");
  }
  if (s.phase != Phase::prefill)
    throw InvalidInput("phase", "ring attention is modelled for prefill; allowed: prefill");
  if (gpus < 1 || gpus > 4096) throw InvalidInput("gpu-count", "must be 1..4096");
  const double bandwidth = interconnect_bytes_per_second.value_or(gpu.interconnect_bytes_per_second.value_or(0.0));
  if (gpus > 1 && bandwidth <= 0) {
    throw InvalidInput("interconnect-gb-per-s",
                       gpu.id + " has no interconnect_gb_per_s; give the bandwidth per direction");
  }
  RingPrefill r;
  r.gpus = gpus;
  r.tokens_per_gpu = (s.context + gpus - 1) / gpus;
  Scenario local = s;
  local.context = r.tokens_per_gpu;

  const double layers = double(m.layers);
  r.diagonal_seconds = attention_kernel_seconds(predict_attention(m, gpu, local, Pass::forward));
  if (gpus > 1) {
    // Zigzag: each off-diagonal step attends half of a full (N/P x N/P) block.
    Workload full = attention_workload(m, local, Pass::forward);
    full.causal = false;
    full.window.reset();
    r.step_compute_seconds = 0.5 * attention_kernel_seconds(predict(full, gpu, attention_variant(full, gpu, local.attention), local.knobs));
    const double block_bytes = k_bytes(full) + v_bytes(full);
    r.step_transfer_seconds = block_bytes / bandwidth;
    r.ring_buffer_bytes = 2.0 * allocated_bytes(block_bytes, s.runtime);
  }
  const double steps = double(gpus - 1);
  r.attention_seconds =
      layers * (r.diagonal_seconds + steps * std::max(r.step_compute_seconds, r.step_transfer_seconds));
  r.exposed_transfer_seconds = layers * steps * std::max(0.0, r.step_transfer_seconds - r.step_compute_seconds);

  const PhaseTime rest = phase_time(m, gpu, local);
  r.other_seconds = rest.gemm_seconds + rest.elementwise_seconds + rest.launch_seconds;
  r.total_seconds = std::max(r.attention_seconds + r.other_seconds, rest.host_seconds);
  r.memory = memory_at(m, gpu, local);
  r.peak_bytes = r.memory.total_bytes + r.ring_buffer_bytes;
  return r;
}

}  // namespace attnsim::capacity

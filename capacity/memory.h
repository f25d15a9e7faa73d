// Whole-model device memory at the peak of a phase. Layers run one after another, so the peak is
// what persists (weights, optimizer states, KV cache, SSM state, saved activations) plus the
// largest single step (one layer's attention, MLP or scan, or the logits), not the sum over layers.
#pragma once

#include <string>
#include <vector>

#include "capacity/model_config.h"
#include "capacity/scenario.h"
#include "capacity/weights.h"
#include "model/gpu.h"

namespace attnsim::capacity {

// What the caching allocator hands out for tensors (`bytes`, what max_memory_allocated() counts) and
// the rest of the segments they hold to themselves (`slack`, reserved but unusable by others).
struct Allocation {
  double bytes = 0;
  double slack = 0;

  Allocation& operator+=(const Allocation& o) {
    bytes += o.bytes;
    slack += o.slack;
    return *this;
  }
  friend Allocation operator+(Allocation a, const Allocation& b) { return a += b; }
  friend Allocation operator*(Allocation a, double times) { return {a.bytes * times, a.slack * times}; }
};

struct MemoryPart {
  std::string name;         // weights, kv_cache, attention, mlp, logits, ..., allocator_slack
  double bytes = 0;         // allocator rounding included
  bool persistent = false;  // alive through the whole phase
  bool at_peak = false;     // counted in the peak: persistent parts plus the largest step
};

struct MemoryBreakdown {
  std::vector<MemoryPart> parts;         // the order of part_names()
  std::string peak_step;                 // the step that sets the peak: attention, mlp, ssm, logits
  double total_bytes = 0;                // sum of the parts at the peak: what the process holds
  double attention_workspace_bytes = 0;  // the core variant's workspace inside `attention`

  double part(const std::string& name) const;
  // The peak as torch.cuda.max_memory_allocated() reports it: the total less the CUDA context and
  // the segments' slack.
  double allocated_peak_bytes() const { return total_bytes - part("cuda_context") - part("allocator_slack"); }
};

// Names of the parts, in the order of MemoryBreakdown::parts.
const std::vector<std::string>& part_names();

// One tensor of `bytes` as the caching allocator places it (RuntimeOverhead's allocator fields).
Allocation tensor_allocation(double bytes, const RuntimeOverhead& runtime);
// Bytes the caching allocator hands out for one tensor of `bytes`.
double allocated_bytes(double bytes, const RuntimeOverhead& runtime);

MemoryBreakdown memory_at(const ModelConfig& model, const Gpu& gpu, const Scenario& scenario);

// Closed forms the breakdown is built from, exposed for tests.
// weight_bytes (capacity/weights.h): exact, no rounding.
// KV cache of all attention layers: 2 x layers x B x Hkv x d x tokens, tokens = min(N, window)
// rounded up to whole blocks, summed over the global and local layers of an attention pattern; with latent attention layers x B x (kv_lora_rank + qk_rope_head_dim)
// x tokens, the compressed latent and shared rope key that FlashMLA and vLLM cache.
double kv_cache_bytes(const ModelConfig& model, const Scenario& scenario);
// One attention layer's cache of `kind` (a local layer of a pattern keeps min(context, window) tokens).
double kv_cache_layer_bytes(const ModelConfig& model, const Scenario& scenario, LayerAttention kind);
double ssm_state_bytes(const ModelConfig& model, const Scenario& scenario);  // recurrent + conv state

}  // namespace attnsim::capacity

// What is being planned: which phase of a model's life (prefill, decode, training), at which
// context length and batch, with which attention implementation, and the runtime's own overheads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "capacity/weight_format.h"
#include "model/dtype.h"
#include "model/host_dispatch.h"
#include "model/variant.h"

namespace attnsim::capacity {

// prefill: one forward pass over the prompt, KV cache kept (generate()'s first step).
// decode: one new token per sequence against a cache of `context` tokens.
// train: forward + backward + AdamW step, every layer's activations kept for backward.
// train-recompute: the same with full activation recomputation (only each layer's input kept).
enum class Phase { prefill, decode, train, train_recompute };

std::string_view phase_name(Phase phase);
Phase parse_phase(std::string_view name);  // throws InvalidInput("phase", ...)

// Overheads of the runtime rather than the model; each default names its source.
struct RuntimeOverhead {
  // Whole-model runs default to Hugging Face transformers' eager mode (model/host_dispatch.h).
  Dispatch dispatch = Dispatch::eager;
  double host_seconds_per_operator = kHostSecondsPerOperator;
  // A kernel's cost beyond its work when launched back to back: 0.84 us per tiny kernel replayed in
  // a CUDA graph on the H200 (validate/data/h200/mechanisms/microbench.csv, launch-gap).
  double launch_gap_seconds = 0.84e-6;
  // Device memory the CUDA context takes before any tensor: a PyTorch process shows 723 MiB after
  // its first 4-byte tensor (discuss.pytorch.org/t/what-is-the-reason-for-pytorchs-gpu-memory-floor/73021;
  // "~700+ MB depending on the CUDA version", discuss.pytorch.org/t/high-gpu-memory-overhead/81330).
  double cuda_context_bytes = 723.0 * 1024.0 * 1024.0;
  // PyTorch's caching allocator (c10/cuda/CUDACachingAllocator.cpp): round_size() rounds every
  // request up to a multiple of kMinBlockSize, 512 B, and that is what max_memory_allocated() counts
  // once a block is split from a cached segment. Segments come from cudaMalloc in
  // get_allocation_size(): requests up to kSmallSize (1 MiB) share 2 MiB small-pool segments
  // (kSmallBuffer), requests below kMinLargeAlloc (10 MiB) share 20 MiB segments (kLargeBuffer), and
  // larger ones get their own segment rounded up to kRoundLarge (2 MiB); a large block is split only
  // when more than kSmallSize would remain (should_split), so a request with up to 1 MiB of segment
  // left over takes the whole segment.
  double allocation_round_bytes = 512.0;
  double small_allocation_limit_bytes = 1024.0 * 1024.0;
  double small_segment_bytes = 2.0 * 1024.0 * 1024.0;
  double min_large_allocation_bytes = 10.0 * 1024.0 * 1024.0;
  double large_segment_round_bytes = 2.0 * 1024.0 * 1024.0;
};

struct Scenario {
  Phase phase = Phase::prefill;
  std::int64_t context = 4096;  // N: prompt length (prefill, train) or cached tokens per sequence (decode)
  std::int64_t batch = 1;       // sequences
  Dtype dtype = Dtype::bf16;    // weights and activations
  WeightFormat weights;         // the decoder's weight matrices: --dtype, or quantized (inference only)
  Dtype kv_dtype = Dtype::bf16;
  // Paged KV cache: a sequence holds whole blocks of this many tokens (vLLM's default block_size
  // is 16, vllm/config.py CacheConfig); 1 = a contiguous cache sized exactly.
  std::int64_t kv_block_tokens = 16;
  // Keep a KV cache (generate(), model(..., use_cache=True)); false: a prefill that keeps none
  // (use_cache=False, scoring or embedding a prompt), whose attention holds its own K and V.
  bool kv_cache = true;
  // How a Hugging Face DynamicCache stores a prefill's K and V. transformers 5 (DynamicLayer.update,
  // cache_utils.py) concatenates them onto an empty tensor, a copy of exactly the cache's size
  // (cache_storage_bytes of Phi-3 in validate/data/h100-sxm/capacity/peak_memory_v3.csv). transformers
  // 4's DynamicCache.update appended the tensors it was handed (self.key_cache.append(key_states)), so
  // a V sliced from a fused qkv output kept that whole buffer alive: `--kv-cache legacy`.
  bool kv_cache_keeps_prefill_views = false;
  // Mamba-2 mixers' prefill: the fused chunked-scan kernels (mamba_ssm), or transformers' pure-PyTorch
  // torch_forward, which Hugging Face runs when mamba_ssm and causal_conv1d are not installed and
  // which materializes each chunk's C x B products in fp32 (see ssm_reference_scan_bytes).
  bool ssm_torch_reference = false;
  bool all_logits = true;            // logits for every position (model(input_ids)), or only the last one
  // Upcast logits to fp32: older transformers releases did (LlamaForCausalLM.forward: logits.float());
  // transformers 5.17 keeps them in the model dtype unless it computes a loss (recorded in
  // validate/data/h100-sxm/capacity/environment.txt).
  bool logits_fp32 = false;
  std::string attention = "flash2";  // core variant id for the attention layers, or "sdpa": PyTorch's choice (model/sdpa_dispatch.h)
  VariantKnobs knobs;
  RuntimeOverhead runtime;
};

// Throws InvalidInput("weight-dtype", ...) for quantized weights in a training phase: weight-only
// quantization is an inference format (training keeps its weights, gradients and optimizer states
// in --dtype and fp32).
void require_supported_weights(const Scenario& scenario);
// Throws InvalidInput("kv-cache", ...) for a decode step without a KV cache (it has nothing to read).
void require_supported_cache(const Scenario& scenario);

}  // namespace attnsim::capacity

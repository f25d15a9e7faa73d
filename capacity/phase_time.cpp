#include "capacity/phase_time.h"

#include <algorithm>

#include "capacity/framework_launches.h"
#include "capacity/layer_elementwise.h"
#include "capacity/layer_gemms.h"
#include "capacity/layer_workloads.h"
#include "capacity/memory.h"
#include "capacity/parameters.h"
#include "model/library_gemm.h"

namespace attnsim::capacity {
namespace {

constexpr double kFp32Bytes = 4.0;

double decode_attention_rate(const Gpu& gpu, Dtype dtype) {
  return library_tensor_flops_per_second(gpu, dtype) * kDecodeAttentionTensorShare;
}

// Every GEMM of the step at its own shape (capacity/layer_gemms.h, model/library_gemm.h). A backward
// runs two per forward GEMM: the input gradient dX (M x N by N x K) and the weight gradient dW
// (N x M by M x K), whose reduction runs over the tokens.
struct StepGemms {
  double seconds = 0;
  double flops = 0;
};
StepGemms step_gemms(const ModelConfig& m, const Gpu& gpu, const Scenario& s, double tokens, double logit_rows,
                     double forwards, bool backward) {
  StepGemms step;
  const double weight_element_bytes = matrix_element_bytes(s.weights, s.dtype);
  for (const ModelGemm& g : hf_forward_gemms(m, tokens, logit_rows)) {
    const GemmTime forward = library_gemm_time(gpu, g.shape, s.dtype, weight_element_bytes);
    step.seconds += g.calls * forwards * forward.seconds;
    step.flops += g.calls * forwards * forward.flops;
    if (!backward) continue;
    const GemmShape input_gradient{g.shape.m, g.shape.k, g.shape.n};
    const GemmShape weight_gradient{g.shape.n, g.shape.k, g.shape.m};
    for (const GemmShape& shape : {input_gradient, weight_gradient}) {
      const GemmTime t = library_gemm_time(gpu, shape, s.dtype);
      step.seconds += g.calls * t.seconds;
      step.flops += g.calls * t.flops;
    }
  }
  return step;
}

double hbm_rate(const Gpu& gpu) { return gpu.hbm_bytes_per_second * gpu.hbm_efficiency; }

// Launch gaps on the GPU and, in eager mode, the host's dispatch of `forwards` forward passes'
// worth of operators; the step then takes the GPU's time or the host's, whichever is longer (the
// host queues ahead while the GPU is the slower).
void add_launch_and_host(const ModelConfig& m, const Scenario& s, double forwards, PhaseTime& t) {
  const FrameworkLaunches launches = hf_forward_launches(m, s.attention);
  t.launch_seconds = forwards * launches.kernels * s.runtime.launch_gap_seconds;
  t.gpu_seconds += t.launch_seconds;
  t.host_operators = s.runtime.dispatch == Dispatch::eager ? forwards * launches.operators : 0.0;
  t.host_seconds = t.host_operators * s.runtime.host_seconds_per_operator;
  t.total_seconds = std::max(t.gpu_seconds, t.host_seconds);
}

// FLOPs per query head and attended token of one decode step: a score over the key and a row of
// the value. Latent attention decodes in its absorbed form (FlashMLA): scores against the cached
// latent and rope key (kv_lora_rank + qk_rope_head_dim, 576 in DeepSeek-V3) and output in the
// latent (kv_lora_rank, 512).
double decode_attention_flops_per_head_token(const ModelConfig& m) {
  if (m.mla) return 2.0 * double(2 * m.mla->kv_lora_rank + m.mla->qk_rope_head_dim);
  return 4.0 * double(m.head_dim);
}

// A contiguous cache (--kv-block 1) is transformers' DynamicCache, whose DynamicLayer.update
// (cache_utils.py) appends each step's key and value with torch.cat: every layer's whole cache is
// read and written again, twice the bytes attention reads. Measured on the H100: 24.5 ms of
// concatenations beside 11.2 ms of attention at B = 32, N = 32768 on Llama-3.2-1B
// (validate/data/h100-sxm/decode_step/). A paged cache writes the new token in place.
double cache_append_bytes(const Scenario& s, double cache_bytes) {
  return s.kv_block_tokens == 1 ? 2.0 * cache_bytes : 0.0;
}

PhaseTime decode_time(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  PhaseTime t;
  const double batch = double(s.batch);
  // One token per sequence: an MoE layer reads the distinct experts the batch is routed to.
  const double weights = weight_bytes_read(m, s, batch);
  const double cache = kv_cache_bytes(m, s);
  const double state = 2.0 * ssm_state_bytes(m, s);  // read and written back every step
  const double append = cache_append_bytes(s, cache);
  t.bytes_per_step = weights + cache + state + append;
  // Keys a step attends to, summed over layers: a local layer sees at most its window.
  double attended_layer_tokens = 0;
  for (const LayerAttention kind : attention_layer_kinds(m)) {
    attended_layer_tokens += m.attention_layers(kind) * visible_keys(m, s, kind);
  }
  const double attention_flops =
      batch * double(m.heads) * attended_layer_tokens * decode_attention_flops_per_head_token(m);
  // Each GEMM streams its weights with its own kernel floor: small ones reach well under HBM
  // bandwidth (model/library_gemm.h).
  const StepGemms gemms = step_gemms(m, gpu, s, batch, batch, 1.0, false);
  t.gemm_flops = gemms.flops;
  t.gemm_seconds = gemms.seconds;
  t.attention_seconds = std::max(cache / hbm_rate(gpu), attention_flops / decode_attention_rate(gpu, s.dtype));
  t.ssm_seconds = state / hbm_rate(gpu);
  t.elementwise_seconds = hf_forward_elementwise_seconds(m, batch, s.dtype, gpu) + append / hbm_rate(gpu);
  t.gpu_seconds = t.gemm_seconds + t.attention_seconds + t.ssm_seconds + t.elementwise_seconds;
  add_launch_and_host(m, s, 1.0, t);
  if (s.runtime.dispatch == Dispatch::eager && attention_backend(m, gpu, s) == "cudnn") {
    t.host_graph_build_seconds = kCudnnGraphBuildSecondsPerDecodeStep;
    t.host_seconds += t.host_graph_build_seconds;
    t.total_seconds = std::max(t.gpu_seconds, t.host_seconds);
  }
  t.tokens_per_second = batch / t.total_seconds;
  return t;
}

}  // namespace

std::string_view time_bound(const PhaseTime& time) { return time.host_seconds > time.gpu_seconds ? "host" : "gpu"; }

PhaseTime phase_time(const ModelConfig& m, const Gpu& gpu, const Scenario& s) {
  if (s.phase == Phase::decode) return decode_time(m, gpu, s);
  PhaseTime t;
  const ParameterCounts c = count_parameters(m);
  const double e = element_bytes(s.dtype);
  const double tokens = double(s.batch) * double(s.context);
  const double logit_rows = s.all_logits || s.phase != Phase::prefill ? tokens : double(s.batch);
  // Backward costs two forward GEMMs (input and weight gradients); recomputation adds a forward.
  const bool train = s.phase != Phase::prefill;
  const double passes = s.phase == Phase::prefill ? 1.0 : (s.phase == Phase::train ? 3.0 : 4.0);

  // Each layer kind at its own price: a pattern's local layers on the sliding-window variant.
  for (const LayerAttention kind : attention_layer_kinds(m)) {
    const Pass pass = train ? Pass::forward_backward : Pass::forward;
    double per_layer = attention_kernel_seconds(predict_attention(m, gpu, s, pass, kind));
    if (s.phase == Phase::train_recompute) {
      per_layer += attention_kernel_seconds(predict_attention(m, gpu, s, Pass::forward, kind));
    }
    t.attention_seconds += m.attention_layers(kind) * per_layer;
  }
  // The core ssm-scan models the forward scan; its backward is taken as two more forwards.
  if (m.has_ssm()) t.ssm_seconds = c.layers * passes * predict_ssm_scan(m, gpu, s).predicted_seconds;

  const StepGemms gemms =
      step_gemms(m, gpu, s, tokens, logit_rows, s.phase == Phase::train_recompute ? 2.0 : 1.0, train);
  t.gemm_flops = gemms.flops;
  t.gemm_seconds = gemms.seconds;

  // The fp32 upcast reads the 16-bit logits and writes fp32; cross-entropy reads them and writes
  // their gradient in training.
  const double upcast = s.logits_fp32 || train ? e + kFp32Bytes : 0.0;
  const double logits_bytes = logit_rows * double(m.vocab_size) * (upcast + (train ? 2.0 * kFp32Bytes : 0.0));
  const double embedding_bytes = 2.0 * tokens * double(m.hidden_size) * e;
  // Each pass of a step launches a forward's elementwise kernels (a backward counts as two passes,
  // as for the GEMMs): assumed for autograd's kernels of the norms, rotary and activation, since
  // only forwards were traced.
  t.elementwise_seconds = passes * hf_forward_elementwise_seconds(m, tokens, s.dtype, gpu) +
                          (passes * embedding_bytes + logits_bytes) / hbm_rate(gpu);

  t.gpu_seconds = t.attention_seconds + t.ssm_seconds + t.gemm_seconds + t.elementwise_seconds;
  // A backward launches about as many kernels again as the forward per matmul pass (assumed: the
  // counts were measured on forwards only).
  add_launch_and_host(m, s, passes, t);
  t.tokens_per_second = tokens / t.total_seconds;
  return t;
}

}  // namespace attnsim::capacity

// Whole-model time of a phase: attention and SSD scans from the core model (model/registry.cpp),
// every projection and MLP GEMM at its own shape as cuBLAS runs it (capacity/layer_gemms.h,
// model/library_gemm.h), and the elementwise kernels transformers launches between them
// (capacity/layer_elementwise.h). A decode step streams the weights through those GEMMs and reads
// the cache.
#pragma once

#include "capacity/model_config.h"
#include "capacity/scenario.h"
#include "model/gpu.h"

namespace attnsim::capacity {

// A decode step's attention FLOPs (compute-bound only for latent attention at large batches) at the
// share of the tensor peak cuBLAS reached on a large square bf16 GEMM: 8192^3 ran at 680.6 TFLOP/s
// on the H200, 70% of its wgmma rate at the sustained 1800 MHz
// (validate/data/h200/mechanisms/microbench.csv, `gemm`).
inline constexpr double kDecodeAttentionTensorShare = 0.70;

struct PhaseTime {
  double attention_seconds = 0;    // all attention layers (core variant)
  double ssm_seconds = 0;          // all SSD scans (core ssm-scan)
  double gemm_seconds = 0;         // projections, MLP and LM head, each GEMM at its shape (model/library_gemm.h)
  double elementwise_seconds = 0;  // norms, residual adds, rotary, activation (layer_elementwise.h), embedding and logits
  double launch_seconds = 0;       // the launch gap of every kernel the framework launches
  double gpu_seconds = 0;          // all of the above: the GPU's busy time
  double host_seconds = 0;         // eager dispatch: host time of the operators (0 under graphs)
  double host_operators = 0;       // eager dispatch: the framework operators the host dispatches
  double host_graph_build_seconds = 0;  // of host_seconds: cuDNN graphs built again (model/host_dispatch.h)
  double total_seconds = 0;        // the GPU's time, or the host's where eager dispatch is slower
  double gemm_flops = 0;
  double bytes_per_step = 0;     // decode: weights (MoE: the experts touched) + KV cache + SSM state read per step
  double tokens_per_second = 0;  // decode: batch / step time; prefill and training: tokens / time
};

PhaseTime phase_time(const ModelConfig& model, const Gpu& gpu, const Scenario& scenario);

// "host" where eager dispatch outlasts the GPU's work, so that the CPU, not the GPU, sets the time;
// else "gpu".
std::string_view time_bound(const PhaseTime& time);

}  // namespace attnsim::capacity

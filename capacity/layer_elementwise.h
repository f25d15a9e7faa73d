// The elementwise kernels a Hugging Face transformers forward launches between its matmuls, at the
// paths PyTorch's kernels take (model/materialized.h): a decoder layer's two RMSNorms, rotary
// embedding of q and k, residual adds and the gated MLP's activation, the final norm, the SSM
// mixer's conv and gate. Checked kernel by kernel against a torch.profiler trace of Llama-3.2-1B
// and Qwen2.5-0.5B prefills (validate/data/h100-sxm/prefill_kernels/, not used to set any rate).
// Every model is priced with that Llama-style layer. Not modelled: Qwen3's and Gemma 3's q/k norms,
// Gemma's four norms a layer and GELU, an MoE layer's routing, gather and scatter kernels, and an
// activation over a strided half of a fused gate_up output (Phi-3), which indexes its elements.
#pragma once

#include <vector>

#include "capacity/model_config.h"
#include "model/cost.h"
#include "model/dtype.h"
#include "model/gpu.h"

namespace attnsim::capacity {

// The kernels of one forward over `tokens` tokens in `dtype`, every layer's included (launch order
// is not kept: only their sum is priced). Attention's own kernels and the GEMMs are not in it.
std::vector<KernelCost> hf_forward_elementwise_kernels(const ModelConfig& model, double tokens, Dtype dtype,
                                                       const Gpu& gpu);

// Their time on `gpu` without launch terms (a whole model counts its launch gaps once, over every
// kernel: capacity/framework_launches.h).
double hf_forward_elementwise_seconds(const ModelConfig& model, double tokens, Dtype dtype, const Gpu& gpu);

}  // namespace attnsim::capacity

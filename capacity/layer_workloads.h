// The core model's view of one layer: the attention call (model/workload.h) and the SSD scan
// (model/variants/ssm_scan.cpp) a layer of the model makes at a given phase, context and batch.
// Attention and scan memory and time come from the core variants, never re-derived here.
#pragma once

#include <string>
#include <vector>

#include "capacity/model_config.h"
#include "capacity/scenario.h"
#include "model/variant.h"
#include "model/workload.h"

namespace attnsim::capacity {

// Causal self-attention of one layer: Nq = N at prefill/training, 1 at decode; Nk = N. A local layer
// of an attention pattern sees its window and runs on the core sliding-window variant (a windowed
// kernel skips the blocks outside the window); a global layer runs on the scenario's --impl.
Workload attention_workload(const ModelConfig& model, const Scenario& scenario, Pass pass,
                            LayerAttention kind = LayerAttention::global);
// The variant that runs a scenario's attention: its id, or for "sdpa" the backend PyTorch picks for
// this call on this GPU (model/sdpa_dispatch.h).
const Variant& attention_variant(const Workload& w, const Gpu& gpu, const std::string& attention);
// The id of the variant that prices the model's (global) attention forward on `gpu`: the one asked
// for, or with sdpa the backend PyTorch's dispatch picks there (cuDNN on sm90, FlashAttention-2 on
// sm80 and sm89); empty for a model without attention.
std::string attention_backend(const ModelConfig& model, const Gpu& gpu, const Scenario& scenario);
Prediction predict_attention(const ModelConfig& model, const Gpu& gpu, const Scenario& scenario, Pass pass,
                             LayerAttention kind = LayerAttention::global);
// The attention layer kinds a model has (global only without a pattern, none for a pure SSM), for
// sums over layers.
std::vector<LayerAttention> attention_layer_kinds(const ModelConfig& model);
// Keys a layer of `kind` keeps and attends to at the scenario's context: min(context, window).
double visible_keys(const ModelConfig& model, const Scenario& scenario, LayerAttention kind);
// An attention call's kernels without their per-kernel launch term: a whole model's launch gaps
// are counted once, over every kernel a forward launches (capacity/framework_launches.h).
double attention_kernel_seconds(const Prediction& attention);

// The SSD scan of one SSM layer over the prompt. Its heads and head dim are the layer's (expansion 1,
// so d_inner = heads x head dim); a Mamba-1 layer runs as SSD with head dim 1, one state per channel.
Prediction predict_ssm_scan(const ModelConfig& model, const Gpu& gpu, const Scenario& scenario);

}  // namespace attnsim::capacity

// The GEMMs of one Hugging Face transformers forward, each at its own shape (tokens x in x out), so
// that each is priced as cuBLAS runs it (model/library_gemm.h): the attention projections (fused
// where the model fuses them; MLA's low-rank pairs), the dense or gated MLP, an MoE layer's router,
// the experts its tokens are routed to and its shared experts, an SSM's in/out projections, a
// shared hybrid's block and adapters per application, and the LM head over the rows whose logits
// are kept. Their FLOPs sum to the parameter count's (capacity/parameters.h): a test holds them to it.
#pragma once

#include <vector>

#include "capacity/model_config.h"
#include "model/library_gemm.h"

namespace attnsim::capacity {

struct ModelGemm {
  const char* name;  // the module: "q_proj", "gate_up_proj", "experts.down_proj", "lm_head", ...
  GemmShape shape;   // m: tokens (an expert: the tokens routed to it), k: input width, n: output width
  double calls = 0;  // in one forward, over all layers
};

// One forward over `tokens` tokens with `logit_rows` rows through the LM head. An MoE layer runs one
// GEMM pair per expert that at least one token is routed to (capacity/weights.h
// expected_distinct_experts), each over tokens x k / that count rows.
std::vector<ModelGemm> hf_forward_gemms(const ModelConfig& model, double tokens, double logit_rows);

}  // namespace attnsim::capacity

// The GEMMs of a forward, shape by shape (capacity/layer_gemms.h), against the parameter count:
// every multiplying weight appears once per token, at the right width.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "capacity/layer_gemms.h"
#include "capacity/parameters.h"
#include "tests/test_support.h"

namespace attnsim::capacity {
namespace {

using attnsim::testing::model;

double forward_flops(const std::vector<ModelGemm>& gemms) {
  double flops = 0;
  for (const ModelGemm& g : gemms) flops += g.calls * 2.0 * g.shape.m * g.shape.n * g.shape.k;
  return flops;
}

double calls_named(const std::vector<ModelGemm>& gemms, const std::string& name) {
  double calls = 0;
  for (const ModelGemm& g : gemms) calls += name == g.name ? g.calls : 0.0;
  return calls;
}

TEST(LayerGemms, FlopsAreTwicePerTokenTheMultiplyingParameters) {
  for (const ModelConfig& m : builtin_models()) {
    for (const double tokens : {1.0, 4096.0, 1e9}) {
      const ParameterCounts c = count_parameters(m);
      const double expected = 2.0 * tokens * c.matmul_per_token() + 2.0 * double(m.vocab_size) * double(m.hidden_size);
      // The count adds what multiplies no token (convolution, A_log, D, biases, latent norms): < 0.5%.
      EXPECT_NEAR(forward_flops(hf_forward_gemms(m, tokens, 1.0)) / expected, 1.0, 0.005) << m.id << " " << tokens;
    }
  }
}

TEST(LayerGemms, LlamaShapes) {
  const std::vector<ModelGemm> g = hf_forward_gemms(model("llama-3.2-1b"), 4096, 1);
  ASSERT_EQ(g.size(), 6u);  // q, k/v, o, gate/up, down, LM head
  EXPECT_EQ(std::string(g[1].name), "k_proj");
  EXPECT_DOUBLE_EQ(g[1].shape.n, 512.0);  // 8 kv heads x 64
  EXPECT_DOUBLE_EQ(g[1].calls, 32.0);     // k and v, 16 layers
  EXPECT_DOUBLE_EQ(g[4].shape.k, 8192.0);
  EXPECT_DOUBLE_EQ(g[5].shape.m, 1.0);
  EXPECT_DOUBLE_EQ(g[5].shape.n, 128256.0);
}

TEST(LayerGemms, FusedProjectionsAreOneWideGemm) {
  const ModelConfig& phi = model("phi-3-mini");
  ASSERT_TRUE(phi.fused_qkv && phi.fused_gate_up);
  const std::vector<ModelGemm> g = hf_forward_gemms(phi, 1024, 1);
  EXPECT_EQ(calls_named(g, "qkv_proj"), double(phi.layers));
  EXPECT_EQ(calls_named(g, "gate_up_proj"), double(phi.layers));
  EXPECT_EQ(calls_named(g, "q_proj"), 0.0);
}

TEST(LayerGemms, OneTokenReachesItsTopKExpertsAndALongPromptAllOfThem) {
  const ModelConfig& mixtral = model("mixtral-8x7b");
  const double layers = mixtral.moe_layers();
  EXPECT_NEAR(calls_named(hf_forward_gemms(mixtral, 1, 1), "experts.down_proj"), 2.0 * layers, 1e-9);
  const std::vector<ModelGemm> prompt = hf_forward_gemms(mixtral, 4096, 1);
  EXPECT_NEAR(calls_named(prompt, "experts.down_proj"), 8.0 * layers, 1e-9);
  for (const ModelGemm& g : prompt) {
    if (std::string(g.name) == "experts.down_proj") {
      EXPECT_NEAR(g.shape.m, 4096.0 * 2 / 8, 1e-6);
    }
  }
}

}  // namespace
}  // namespace attnsim::capacity

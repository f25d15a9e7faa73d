// Numerical edge cases of every variant on every GPU profile: the smallest shapes (N = 1, d = 1),
// causal masks with Nq != Nk (bottom-right aligned, so with Nq > Nk the first Nq - Nk query rows
// see no key), windows at least as long as the sequence, and one-token decoding. Each either
// predicts finite, non-negative counts and a positive time, or refuses with InvalidInput.
#include <gtest/gtest.h>
#include <cmath>
#include <map>
#include <set>

#include "model/error.h"
#include "model/mask_geometry.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

struct EdgeCase {
  std::string name;
  Workload workload;
};

Workload shape(std::int64_t seq_q, std::int64_t seq_kv, std::int64_t head_dim, bool causal = false,
               std::optional<std::int64_t> window = std::nullopt) {
  Workload w = testing::workload(seq_kv, 8, head_dim);
  w.kv_heads = 2;
  w.seq_q = seq_q;
  w.causal = causal;
  w.window = window;
  return w;
}

std::vector<EdgeCase> edge_cases() {
  return {
      {"one token", shape(1, 1, 128)},
      {"one token causal", shape(1, 1, 128, true)},
      {"head dim 1", shape(4096, 4096, 1)},
      {"head dim 1 causal", shape(4096, 4096, 1, true)},
      {"causal Nq > Nk", shape(4096, 1024, 128, true)},
      {"causal Nq < Nk", shape(1024, 4096, 128, true)},
      {"causal Nq 3, Nk 1", shape(3, 1, 64, true)},
      {"window longer than N", shape(4096, 4096, 128, false, 8192)},
      {"causal window longer than N", shape(4096, 4096, 128, true, 8192)},
      {"window 1", shape(4096, 4096, 128, true, 1)},
      {"decode", shape(1, 4096, 128)},
      {"decode causal", shape(1, 4096, 128, true)},
      {"decode one key", shape(1, 1, 128, true)},
  };
}

void expect_sane(const Prediction& p, const std::string& where) {
  const std::pair<const char*, double> fields[] = {{"model_flops", p.cost.model_flops},
                                                   {"workspace_bytes", p.cost.workspace_bytes},
                                                   {"tensor_flops", p.tensor_flops},
                                                   {"exp_flops", p.exp_flops},
                                                   {"vector_flops", p.vector_flops},
                                                   {"hbm_read_bytes", p.hbm_read_bytes},
                                                   {"hbm_write_bytes", p.hbm_write_bytes},
                                                   {"hbm_reread_bytes", p.hbm_reread_bytes},
                                                   {"footprint_bytes", p.footprint_bytes},
                                                   {"arithmetic_intensity", p.arithmetic_intensity},
                                                   {"tensor_seconds", p.tensor_seconds},
                                                   {"exp_seconds", p.exp_seconds},
                                                   {"vector_seconds", p.vector_seconds},
                                                   {"hbm_seconds", p.hbm_seconds},
                                                   {"launch_seconds", p.launch_seconds},
                                                   {"predicted_seconds", p.predicted_seconds},
                                                   {"achieved_flops_per_second", p.achieved_flops_per_second}};
  for (const auto& [name, value] : fields) {
    EXPECT_TRUE(std::isfinite(value) && value >= 0) << where << ": " << name << " = " << value;
  }
  for (const KernelTime& k : p.kernels) EXPECT_TRUE(std::isfinite(k.seconds) && k.seconds >= 0) << where;
  EXPECT_GT(p.predicted_seconds, 0) << where;
  EXPECT_GT(p.hbm_read_bytes, 0) << where;  // every call reads Q, K and V at least once
}

// The refusals a variant documents for these shapes; anything else must predict on every GPU
// where the variant's dtype and tiles exist.
bool documented_refusal(const std::string& variant, const Workload& w) {
  if (variant == "flash-mla") return true;  // one compiled shape on sm90 (docs/variants/flash-mla.md)
  if (variant != "ssm-scan") return false;
  const SsmShape ssm;
  return w.seq_q != w.seq_kv ||                                       // one sequence, no separate query length
         (ssm.expansion * w.heads * w.head_dim) % ssm.head_dim != 0;  // d = 1: 2 x 8 x 1 channels, SSM heads of 64
}

TEST(EdgeCases, EveryVariantOnEveryGpuIsFiniteOrRefusedWithAMessage) {
  std::size_t predicted = 0;
  for (const EdgeCase& edge : edge_cases()) {
    for (const Variant& variant : all_variants()) {
      std::set<std::string> refused_on;
      for (const std::string& gpu_id : builtin_gpu_ids()) {
        const std::string where = edge.name + ", " + variant.id + " on " + gpu_id;
        try {
          expect_sane(predict(edge.workload, testing::gpu(gpu_id), variant, {}), where);
          ++predicted;
        } catch (const InvalidInput& e) {
          EXPECT_FALSE(std::string(e.what()).empty()) << where;
          refused_on.insert(gpu_id + ": " + e.field() + ": " + e.what());
        }
      }
      if (!documented_refusal(variant.id, edge.workload)) {
        EXPECT_TRUE(refused_on.empty()) << edge.name << ", " << variant.id << " refused on " << *refused_on.begin();
      }
    }
  }
  EXPECT_GT(predicted, 1000u);
}

// Bottom-right alignment (FlashAttention >= 2.1): with Nq > Nk, query row i sees keys
// 0 .. i - (Nq - Nk); the first Nq - Nk rows see none, so the visible elements (and model FLOPs)
// are those of the square Nk x Nk causal mask.
TEST(EdgeCases, CausalWithMoreQueriesThanKeysLeavesTheFirstRowsEmpty) {
  const MaskGeometry tall = mask_of(shape(4096, 1024, 128, true));
  EXPECT_DOUBLE_EQ(visible_elements(tall), 1024.0 * 1025.0 / 2.0);
  const BlockCounts blocks = count_blocks(tall, 128, 64);
  EXPECT_DOUBLE_EQ(blocks.query_blocks, 32);
  EXPECT_DOUBLE_EQ(blocks.active_query_blocks, 8);  // rows 3072 .. 4095
  const Prediction tall_flash2 = testing::run("flash2", shape(4096, 1024, 128, true));
  const Prediction square_flash2 = testing::run("flash2", shape(1024, 1024, 128, true));
  EXPECT_DOUBLE_EQ(tall_flash2.cost.model_flops, square_flash2.cost.model_flops);
  EXPECT_GE(tall_flash2.hbm_write_bytes, o_bytes(tall_flash2.workload));  // empty rows still write O (zeros)
}

// With Nq < Nk the last query row sees every key and row i sees Nk - Nq + i + 1 keys.
TEST(EdgeCases, CausalWithFewerQueriesThanKeysSeesThePrefix) {
  const double nq = 1024;
  const double nk = 4096;
  EXPECT_DOUBLE_EQ(visible_elements(mask_of(shape(1024, 4096, 128, true))), nq * (nk - nq) + nq * (nq + 1) / 2);
  // One decoding query sees the whole cache, causal or not.
  EXPECT_DOUBLE_EQ(visible_elements(mask_of(shape(1, 4096, 128, true))), 4096);
}

TEST(EdgeCases, AWindowAsLongAsTheSequenceChangesNothing) {
  for (const bool causal : {false, true}) {
    for (const std::string variant : {"flash2", "flash3", "eager", "mem-efficient"}) {
      const Prediction windowed = testing::run(variant, shape(4096, 4096, 128, causal, 4096));
      const Prediction longer = testing::run(variant, shape(4096, 4096, 128, causal, 1 << 20));
      const Prediction plain = testing::run(variant, shape(4096, 4096, 128, causal));
      EXPECT_DOUBLE_EQ(longer.cost.model_flops, plain.cost.model_flops) << variant << " causal " << causal;
      EXPECT_DOUBLE_EQ(longer.cost.model_flops, windowed.cost.model_flops) << variant << " causal " << causal;
    }
  }
}

TEST(EdgeCases, OneTokenCostsOneScoreAndAPositiveTime) {
  for (const Variant& variant : all_variants()) {
    const Prediction p =
        predict(testing::shaped_for(variant.id, shape(1, 1, 128, true)), testing::gpu("h100-sxm"), variant, {});
    EXPECT_DOUBLE_EQ(visible_elements(mask_of(p.workload)), 1.0) << variant.id;
    EXPECT_GT(p.predicted_seconds, 0) << variant.id;
    EXPECT_LT(p.predicted_seconds, 1e-3) << variant.id;  // launch latency, not work
  }
}

}  // namespace
}  // namespace attnsim

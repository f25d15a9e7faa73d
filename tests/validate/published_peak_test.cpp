// Published peaks stated as "up to X" over a benchmark's grid: attnsim's best over the same grid.
// Nothing is fitted on them. A peak more than 15% away is a listed miss with its mechanism here, and
// the test fails when the figure moves, so the listing cannot go stale.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "tests/test_support.h"

namespace attnsim {
namespace {

// deepseek-ai/FlashMLA at commit 9241ae3, README.md, "Test & benchmark MHA prefill (Dense)": "It
// achieves up to 1460 TFlops in forward ... on B200, as reported by NVIDIA", for the grid of
// tests/test_fmha_sm100.py: b = 2, (s_q, s_k) in {(4096, 4096), (8192, 8192)}, (h, h_k) in
// {(128, 128), (32, 4)}, (d, dv) in {(128, 128), (192, 128)} (192/128 is DeepSeek-V3's MLA prefill in
// the expanded form), causal and not, bf16; TFLOP/s as the script counts them: attended (query, key)
// pairs x h x 2 x (d + dv) over the time. Certainty: a stated maximum without its shape.
constexpr double kPublishedForwardTflops = 1460.0;

// The sm100 kernel is priced as cuDNN's (`cudnn`, a warp-specialized tcgen05 kernel like FlashMLA's
// CUTLASS-derived one). Listed miss: attnsim's best is 1906 TFLOP/s, 31% high, at d = 192 where the
// matmuls outlast the softmax and the kernel is tensor-bound: sm100 runs at sm90's 0.85 of the
// tensor rate, and the profile's 2250 TFLOP/s is at a derived 1856 MHz; the clock a B200 holds under
// a tensor-bound load is not measured (an H100 holds 1620-1810 MHz inside such kernels against its
// 1980 MHz boost, model/sm_clock.h), nor is any tensor-bound B200 row in b200.csv, all d = 128. It was
// 1147 TFLOP/s, 21% low, while sm100's forward hid only 30% of the matmuls under the softmax.
constexpr double kListedBestOverPublished = 1.306;

TEST(PublishedPeak, FlashMlaDensePrefillOnB200OverItsBenchmarkGrid) {
  double best_tflops = 0;
  for (const std::int64_t n : {4096, 8192}) {
    for (const auto& [heads, kv_heads] : {std::pair<std::int64_t, std::int64_t>{128, 128}, {32, 4}}) {
      for (const auto& [d, dv] : {std::pair<std::int64_t, std::int64_t>{128, 128}, {192, 128}}) {
        for (const bool causal : {false, true}) {
          Workload w = testing::workload(n, heads, d);
          w.batch = 2;
          w.kv_heads = kv_heads;
          w.head_dim_v = dv;
          w.causal = causal;
          const double pairs = double(n) * double(n + 1) / 2.0;
          const double attended = causal ? pairs : double(n) * double(n);
          const double flops = double(w.batch) * attended * double(heads) * 2.0 * double(d + dv);
          const Prediction p = testing::run("cudnn", w, "b200");
          best_tflops = std::max(best_tflops, flops / p.predicted_seconds / 1e12);
        }
      }
    }
  }
  const double ratio = best_tflops / kPublishedForwardTflops;
  RecordProperty("best_tflops", std::to_string(best_tflops));
  EXPECT_NEAR(ratio, kListedBestOverPublished, 0.005)
      << fmt::format("attnsim's best {:.0f} TFLOP/s over FlashMLA's published {:.0f}: update the listed miss",
                     best_tflops, kPublishedForwardTflops);
  EXPECT_GT(std::abs(ratio - 1.0), 0.15) << "within 15% now: remove the listed miss";
}

}  // namespace
}  // namespace attnsim

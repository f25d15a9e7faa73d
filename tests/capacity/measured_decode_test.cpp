// A whole-model decode step against a torch.profiler trace of transformers' own decoding with a
// DynamicCache on the H100 (validate/data/h100-sxm/decode_step/): the cache's concatenation and the
// GPU's time of a step. Nothing was fitted on these kernels.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "capacity/memory.h"
#include "capacity/phase_time.h"
#include "io/model_config.h"
#include "tests/test_support.h"
#include "validate/fccp_csv.h"

namespace attnsim::capacity {
namespace {

struct StepKernels {
  double cache_append_seconds = 0;  // kernels launched inside DynamicCache.update: the torch.cat of K and V
  double gemm_seconds = 0;          // kernels under aten::linear: the projections, the MLP and the LM head
  double total_seconds = 0;
};

using Point = std::tuple<std::string, std::int64_t, std::int64_t>;  // model, batch, context

std::map<Point, StepKernels> traced_steps() {
  io::CSVReader<6, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
      std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/decode_step/decode_kernels.csv");
  in.read_header(io::ignore_extra_column, "model", "batch", "context", "module", "aten_op", "duration_us");
  std::map<Point, StepKernels> steps;
  std::string model, module, op;
  std::int64_t batch = 0, context = 0;
  double us = 0;
  while (in.read_row(model, batch, context, module, op, us)) {
    StepKernels& s = steps[{model, batch, context}];
    s.total_seconds += us * 1e-6;
    if (module == "DynamicCache.update") s.cache_append_seconds += us * 1e-6;
    if (op == "aten::linear") s.gemm_seconds += us * 1e-6;
  }
  return steps;
}

Scenario decode_step(std::int64_t batch, std::int64_t context) {
  Scenario s;
  s.phase = Phase::decode;
  s.batch = batch;
  s.context = context;
  s.kv_block_tokens = 1;  // transformers' DynamicCache: contiguous, sized exactly
  s.attention = "sdpa";
  return s;
}

// Where the cache holds 4 GB or more, the step is its attention and the concatenation that appends
// one token to every layer's cache by copying it whole: each concatenation within 10% of twice the
// cache at the profile's HBM rate (measured 2.97-24.5 ms), and the step's GPU time within 25%
// (-5% to -12%).
TEST(MeasuredDecodeStep, TheDynamicCachesConcatenationCopiesTheWholeCacheEveryStep) {
  const Gpu& h100 = attnsim::testing::gpu("h100-sxm");
  int checked = 0;
  for (const auto& [point, traced] : traced_steps()) {
    const auto& [model_id, batch, context] = point;
    const ModelConfig& model = find_model(model_id);
    const Scenario s = decode_step(batch, context);
    const double cache_bytes = kv_cache_bytes(model, s);
    if (cache_bytes < 4e9) continue;
    const double append_seconds = 2.0 * cache_bytes / (h100.hbm_bytes_per_second * h100.hbm_efficiency);
    const PhaseTime t = phase_time(model, h100, s);
    SCOPED_TRACE(
        fmt::format("{} B={} N={}: concatenation {:.2f} ms measured, {:.2f} ms at HBM speed; step's kernels "
                    "{:.2f} ms, predicted GPU {:.2f} ms",
                    model_id, batch, context, 1e3 * traced.cache_append_seconds, 1e3 * append_seconds,
                    1e3 * traced.total_seconds, 1e3 * t.gpu_seconds));
    EXPECT_LT(std::fabs(append_seconds / traced.cache_append_seconds - 1.0), 0.10);
    EXPECT_LT(std::fabs(t.gpu_seconds / traced.total_seconds - 1.0), 0.25);
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

// Every point's GEMMs, each streaming its weights with its own kernel floor (model/library_gemm.h,
// whose constants came from prefill GEMMs of M >= 1024 and one LM head): Llama's 129 kernels take
// 1.26-1.33 ms a step, Qwen's 193 0.95-1.07 ms. And the step's GPU time at every point: 5-20% under
// the trace, the most where 500-740 elementwise kernels of a few thousand elements dominate, each
// 1.6-2.3 us in the eager trace against the 0.84 us launch gap a CUDA graph replays them in.
TEST(MeasuredDecodeStep, EveryStepsGemmsAndGpuTime) {
  const Gpu& h100 = attnsim::testing::gpu("h100-sxm");
  int checked = 0;
  for (const auto& [point, traced] : traced_steps()) {
    const auto& [model_id, batch, context] = point;
    const PhaseTime t = phase_time(find_model(model_id), h100, decode_step(batch, context));
    SCOPED_TRACE(
        fmt::format("{} B={} N={}: GEMMs {:.3f} ms measured, {:.3f} ms predicted; step {:.3f} ms measured, "
                    "{:.3f} ms predicted",
                    model_id, batch, context, 1e3 * traced.gemm_seconds, 1e3 * t.gemm_seconds,
                    1e3 * traced.total_seconds, 1e3 * t.gpu_seconds));
    EXPECT_LT(std::fabs(t.gemm_seconds / traced.gemm_seconds - 1.0), 0.20);
    EXPECT_LT(std::fabs(t.gpu_seconds / traced.total_seconds - 1.0), 0.25);
    ++checked;
  }
  EXPECT_EQ(checked, 12);
}

// The host's time of a decode step (validate/data/h100-sxm/decode_host/): its operators at the
// prefill's 20.2 us each, and the cuDNN graph PyTorch builds again every step because the key length
// changed (model/host_dispatch.h). The build's 72 ms came from Llama-3.2-1B's two points (88 and
// 92 ms a step); Qwen2.5-0.5B's (1328 operators, 24 layers, other head counts) is the test.
TEST(MeasuredDecodeStep, TheHostsTimePerStepIsItsOperatorsAndACudnnGraphBuild) {
  io::CSVReader<4, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
      std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/decode_host/decode_steps.csv");
  in.read_header(io::ignore_extra_column, "model", "batch", "context", "events_seconds");
  std::map<Point, std::vector<double>> steps;
  std::string model;
  std::int64_t batch = 0, context = 0;
  double seconds = 0;
  while (in.read_row(model, batch, context, seconds)) steps[{model, batch, context}].push_back(seconds);
  ASSERT_EQ(steps.size(), 3u);
  for (auto& [point, times] : steps) {
    const auto& [model_id, b, n] = point;
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    const double measured = times[times.size() / 2];
    const PhaseTime t = phase_time(find_model(model_id), attnsim::testing::gpu("h100-sxm"), decode_step(b, n));
    const double error = t.total_seconds / measured - 1.0;
    std::cout << fmt::format("{} B={} N={}: measured {:.1f} ms, predicted {:.1f} ms ({:+.1f}%)\n", model_id, b, n,
                             1e3 * measured, 1e3 * t.total_seconds, 100 * error);
    EXPECT_GT(t.host_seconds, t.gpu_seconds);
    if (model_id == "qwen2.5-0.5b") {
      EXPECT_LT(std::fabs(error), 0.10);
    }
  }
  // Without the build the operators alone price a step 3.7-4.9x short.
  Scenario graph_free = decode_step(1, 1024);
  graph_free.attention = "flash2";
  const PhaseTime flash = phase_time(find_model("llama-3.2-1b"), attnsim::testing::gpu("h100-sxm"), graph_free);
  EXPECT_LT(flash.total_seconds, 0.03);
}

}  // namespace
}  // namespace attnsim::capacity

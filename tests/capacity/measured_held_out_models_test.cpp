// Two models no whole-model constant was set on, predicted before they ran (commit 59a6257): Qwen2.5-7B
// (GQA 28/4, q/k/v biases, a 152K vocabulary) and Phi-3-mini (32 heads of 96, fused qkv and gate_up
// projections), prefill on an H100 (validate/data/h100-sxm/prefill_clocks_heldout/): each forward
// traced after idle, then run back to back for 6 s. What they showed, and what changed since, is in
// that folder's README: Phi-3's 16384-token prompt exposed the window rule (capacity/layer_workloads.cpp)
// and its 4096-token prefill, traced later, set its elementwise kernels; only Qwen2.5-7B's rows
// changed nothing in the model.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <utility>

#include "capacity/phase_time.h"
#include "tests/capacity/scripted_prefill.h"
#include "validate/fccp_csv.h"
#include "validate/whole_model_records.h"

namespace attnsim::capacity {
namespace {

const std::string kFolder = "h100-sxm/prefill_clocks_heldout";
const std::filesystem::path kData = std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data";

struct KernelSums {
  double gemm_seconds = 0, attention_seconds = 0, elementwise_seconds = 0;
  double total() const { return gemm_seconds + attention_seconds + elementwise_seconds; }
};

// (model, N) -> the forward traced after idle, its kernels summed by kind.
std::map<std::pair<std::string, std::int64_t>, KernelSums> traced_after_idle() {
  io::CSVReader<5, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
      (kData / kFolder / "phase_kernels.csv").string());
  in.read_header(io::ignore_extra_column, "model", "seq", "phase", "kind", "kernel_seconds");
  std::map<std::pair<std::string, std::int64_t>, KernelSums> sums;
  std::string model, phase, kind;
  std::int64_t seq = 0;
  double seconds = 0;
  while (in.read_row(model, seq, phase, kind, seconds)) {
    if (phase != "after-idle") continue;
    KernelSums& s = sums[{model, seq}];
    (kind == "gemm" ? s.gemm_seconds : kind == "attention" ? s.attention_seconds : s.elementwise_seconds) += seconds;
  }
  return sums;
}

PhaseTime predicted_prefill(const std::string& model, std::int64_t tokens) {
  return predicted_scripted_prefill(model, tokens);
}

double error(double predicted, double measured) { return predicted / measured - 1.0; }

// The whole-model target is 15%. Listed: (model, N) -> the error, for a miss whose cause is known.
// None now: Phi-3's elementwise kernels came out 26-27% fast until its fused projections' strided
// views, the V copy and its rotary's extra concatenations were priced, read from its traced prefill at
// 4096 tokens (validate/data/h100-sxm/prefill_kernels_heldout/), which that row no longer holds out.
const std::map<std::pair<std::string, std::int64_t>, double> kListedMisses = {};

TEST(MeasuredHeldOutModels, KernelsByKindAndTheForwardBackToBack) {
  const auto traced = traced_after_idle();
  ASSERT_EQ(traced.size(), 4u);
  for (const auto& [key, kernels] : traced) {
    const auto& [model, tokens] = key;
    const PhaseTime t = predicted_prefill(model, tokens);
    std::cout << fmt::format("{} N={}: GEMMs {:+.1f}%, elementwise {:+.1f}%, attention {:+.1f}%, all kernels {:+.1f}%\n",
                             model, tokens, 100 * error(t.gemm_seconds, kernels.gemm_seconds),
                             100 * error(t.elementwise_seconds, kernels.elementwise_seconds),
                             100 * error(t.attention_seconds, kernels.attention_seconds),
                             100 * error(t.gpu_seconds - t.launch_seconds, kernels.total()));
  }
  const std::vector<WholeModelRun> runs = back_to_back_prefill_runs(kData, kFolder);
  ASSERT_EQ(runs.size(), 4u);
  for (const WholeModelRun& run : runs) {
    const double predicted = predicted_prefill(run.model, run.seq).total_seconds;
    const double e = error(predicted, run.measured_seconds);
    std::cout << fmt::format("{} N={} back to back: measured {:.1f} ms, predicted {:.1f} ms, {:+.1f}%\n", run.model,
                             run.seq, 1e3 * run.measured_seconds, 1e3 * predicted, 100 * e);
    const auto listed = kListedMisses.find({run.model, run.seq});
    if (listed != kListedMisses.end()) {
      EXPECT_NEAR(e, listed->second, 0.005) << run.model << " N=" << run.seq << ": the listed number moved";
    } else {
      EXPECT_LT(std::fabs(e), 0.15) << run.model << " N=" << run.seq;
    }
  }
}

}  // namespace
}  // namespace attnsim::capacity

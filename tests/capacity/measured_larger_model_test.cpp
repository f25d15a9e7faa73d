// A model eight times larger than any whole-model constant was set on: Llama-3.1-8B's prefill on an
// H100, traced kernel by kernel (validate/data/h100-sxm/prefill_kernels_8b/) and run back to back for
// 15 s (validate/data/h100-sxm/prefill_clocks_8b/). The GEMM model was set on Llama-3.2-1B's trace,
// the elementwise rates on other kernels, the host time per operator on an H200 machine: every
// number here is held out.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "capacity/phase_time.h"
#include "tests/capacity/scripted_prefill.h"
#include "validate/fccp_csv.h"
#include "validate/whole_model_records.h"

namespace attnsim::capacity {
namespace {

const std::string kData = std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/";

struct ForwardKernels {
  double gemm_seconds = 0, attention_seconds = 0, elementwise_seconds = 0;
  double total() const { return gemm_seconds + attention_seconds + elementwise_seconds; }
};

// Per prompt length: the traced forward's kernels by the aten operator that launched them.
std::map<std::int64_t, ForwardKernels> traced_forwards() {
  io::CSVReader<3, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
      kData + "prefill_kernels_8b/kernels.csv");
  in.read_header(io::ignore_extra_column, "seq", "aten_op", "duration_us");
  std::map<std::int64_t, ForwardKernels> forwards;
  std::int64_t seq = 0;
  std::string op;
  double us = 0;
  while (in.read_row(seq, op, us)) {
    ForwardKernels& f = forwards[seq];
    if (op == "aten::linear") {
      f.gemm_seconds += us * 1e-6;
    } else if (op == "aten::scaled_dot_product_attention") {
      f.attention_seconds += us * 1e-6;
    } else {
      f.elementwise_seconds += us * 1e-6;
    }
  }
  return forwards;
}

PhaseTime predicted_prefill(std::int64_t tokens) { return predicted_scripted_prefill("llama-3.1-8b", tokens); }

// Measured against predicted (kernel time without launch gaps), N = 1024, 4096, 16384:
//   GEMMs        18.6 / 75.9 / 315.9 ms   +3.2% / -4.8% / -10.3%
//   elementwise   8.5 / 37.1 / 146.1 ms   +0.1% / -8.1% / -6.6%
//   attention     1.0 /  9.5 / 130.0 ms   -4.5% / -1.3% / -0.3%
//   all          28.1 / 122.5 / 592.0 ms  +2.0% / -5.5% / -7.2%
// The growing shortfall is the clock: the 8B's forwards drew 694 W of the 700 W limit and held a
// median 1575 MHz (clocks_during.csv), where the model prices the sustained 1710 MHz; Llama-3.2-1B's
// forwards held 1785-1965 MHz at 667-672 W. What a kernel mix draws is not modelled.
TEST(MeasuredLargerModel, EachKindOfKernelWithin15PercentAndTheForwardWithin10) {
  const std::map<std::int64_t, ForwardKernels> measured = traced_forwards();
  ASSERT_EQ(measured.size(), 3u);
  for (const auto& [tokens, kernels] : measured) {
    const PhaseTime t = predicted_prefill(tokens);
    SCOPED_TRACE(fmt::format("N={}: GEMMs {:.2f}/{:.2f} ms, elementwise {:.2f}/{:.2f}, attention {:.2f}/{:.2f}", tokens,
                             1e3 * t.gemm_seconds, 1e3 * kernels.gemm_seconds, 1e3 * t.elementwise_seconds,
                             1e3 * kernels.elementwise_seconds, 1e3 * t.attention_seconds,
                             1e3 * kernels.attention_seconds));
    std::cout << fmt::format(
        "Llama-3.1-8B N={}: GEMMs {:+.1f}%, elementwise {:+.1f}%, attention {:+.1f}%, all {:+.1f}%\n", tokens,
        100 * (t.gemm_seconds / kernels.gemm_seconds - 1),
        100 * (t.elementwise_seconds / kernels.elementwise_seconds - 1),
        100 * (t.attention_seconds / kernels.attention_seconds - 1),
        100 * ((t.gpu_seconds - t.launch_seconds) / kernels.total() - 1));
    EXPECT_LT(std::fabs(t.gemm_seconds / kernels.gemm_seconds - 1.0), 0.15);
    EXPECT_LT(std::fabs(t.elementwise_seconds / kernels.elementwise_seconds - 1.0), 0.15);
    EXPECT_LT(std::fabs(t.attention_seconds / kernels.attention_seconds - 1.0), 0.15);
    EXPECT_LT(std::fabs((t.gpu_seconds - t.launch_seconds) / kernels.total() - 1.0), 0.10);
  }
}

// The forward as a user times it: CUDA events around one untraced call (forwards.csv `events_us`; at
// 1024 tokens the host is the longer: 32.8 ms against 28.1 ms of kernels), and the median of the
// forwards run back to back for 15 s (forward_times.csv). Predicted: +5.1%, -5.2%, -3.7% for one call;
// -7.5% and -5.3% back to back, where the clock is lowest. The accuracy target for whole-model
// prefill time is 15%.
TEST(MeasuredLargerModel, TheForwardAsTimedWithin15Percent) {
  io::CSVReader<2, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> one(
      kData + "prefill_kernels_8b/forwards.csv");
  one.read_header(io::ignore_extra_column, "seq", "events_us");
  std::int64_t tokens = 0;
  double us = 0;
  int calls = 0;
  while (one.read_row(tokens, us)) {
    const double predicted = predicted_prefill(tokens).total_seconds;
    std::cout << fmt::format("Llama-3.1-8B N={} one call: {:+.1f}%\n", tokens, 100 * (predicted / (us * 1e-6) - 1));
    EXPECT_LT(std::fabs(predicted / (us * 1e-6) - 1.0), 0.15)
        << fmt::format("N={}: measured {:.2f} ms, predicted {:.2f} ms", tokens, 1e-3 * us, 1e3 * predicted);
    ++calls;
  }
  EXPECT_EQ(calls, 3);

  const std::vector<WholeModelRun> back_to_back =
      back_to_back_prefill_runs(std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data", "h100-sxm/prefill_clocks_8b");
  ASSERT_EQ(back_to_back.size(), 2u);
  for (const WholeModelRun& run : back_to_back) {
    const double predicted = predicted_prefill(run.seq).total_seconds;
    std::cout << fmt::format("Llama-3.1-8B N={} back to back: {:+.1f}%\n", run.seq,
                             100 * (predicted / run.measured_seconds - 1));
    EXPECT_LT(std::fabs(predicted / run.measured_seconds - 1.0), 0.15)
        << fmt::format("N={}: median of the forwards {:.2f} ms, predicted {:.2f} ms", run.seq,
                       1e3 * run.measured_seconds, 1e3 * predicted);
  }
}

}  // namespace
}  // namespace attnsim::capacity

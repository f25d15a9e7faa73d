// The elementwise kernels of a Hugging Face forward (capacity/layer_elementwise.h) against a
// torch.profiler trace of whole-model prefills on the H100 (validate/data/h100-sxm/prefill_kernels/):
// per operator, and summed over a forward. The trace set no rate: the element-bound paths were
// measured on other kernels (validate/data/h100-sxm/breakdown/), so this is a held-out check.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "capacity/layer_elementwise.h"
#include "io/model_config.h"
#include "model/timing.h"
#include "tests/test_support.h"
#include "validate/fccp_csv.h"

namespace attnsim::capacity {
namespace {

struct TracedKernel {
  std::string model, impl, module, op, kernel;
  std::int64_t seq = 0;
  double seconds = 0;
};

std::vector<TracedKernel> traced_kernels() {
  io::CSVReader<7, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
      std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/prefill_kernels/kernels.csv");
  in.read_header(io::ignore_extra_column, "model", "impl", "seq", "module", "aten_op", "kernel", "duration_us");
  std::vector<TracedKernel> kernels;
  TracedKernel k;
  double us = 0;
  while (in.read_row(k.model, k.impl, k.seq, k.module, k.op, k.kernel, us)) {
    k.seconds = us * 1e-6;
    kernels.push_back(k);
  }
  return kernels;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The operator a traced kernel belongs to, named as capacity/layer_elementwise.cpp names its
// kernels up to the colon's second part where one operator has several ("rotary: mul" is x * cos
// and rotate_half(x) * sin); empty for GEMMs, attention and the per-model set-up kernels.
std::string operator_of(const TracedKernel& k) {
  const auto has = [&](const char* text) { return k.kernel.find(text) != std::string::npos; };
  if (ends_with(k.module, "RMSNorm")) {
    if (k.op == "aten::to") return has("unrolled_elementwise_kernel") ? "rmsnorm: to fp32" : "rmsnorm: to dtype";
    if (k.op == "aten::pow") return "rmsnorm: pow";
    if (k.op == "aten::mean") return "rmsnorm: mean";
    if (k.op == "aten::mul") return has("elementwise_kernel<128, 2") ? "rmsnorm: x * rsqrt" : "rmsnorm: weight * x";
    return "rmsnorm: + eps, rsqrt";
  }
  if (ends_with(k.module, "Attention")) {
    if (k.op == "aten::mul") return "rotary: mul";
    if (k.op == "aten::neg") return "rotary: -x2";
    if (k.op == "aten::cat") return "rotary: cat";
    if (k.op == "aten::add") return "rotary: add";
    return "";
  }
  if (ends_with(k.module, "DecoderLayer") && k.op == "aten::add") return "residual add";
  if (k.op == "aten::silu") return "mlp: act(gate)";
  if (ends_with(k.module, "MLP") && k.op == "aten::mul") return "mlp: act(gate) * up";
  return "";
}

std::string operator_of_predicted(const std::string& name) {
  if (name == "rmsnorm: + eps" || name == "rmsnorm: rsqrt") return "rmsnorm: + eps, rsqrt";
  if (name == "rotary: x * cos" || name == "rotary: rotate_half(x) * sin") return "rotary: mul";
  return name;
}

std::map<std::string, double> predicted_by_operator(const std::string& model, std::int64_t seq) {
  const Gpu& h100 = attnsim::testing::gpu("h100-sxm");
  std::map<std::string, double> seconds;
  for (const KernelCost& k : hf_forward_elementwise_kernels(find_model(model), double(seq), Dtype::bf16, h100)) {
    const KernelTime t = time_kernel(k, h100);
    seconds[operator_of_predicted(k.name)] += t.seconds - t.launch_seconds;
  }
  return seconds;
}

// Operators of at least 1 ms in a forward of at least 4096 tokens (shorter ones sit near the launch
// floor, which the whole model counts apart): each within 25%. Predicted against measured at
// N = 16384 and 32768: the widening copy -3% to -5%, the rotary concatenation -2% to +3%, the
// streaming operators -5% to +7%; the fp32 broadcast multiply (a 4-byte elementwise_kernel<128, 2>,
// priced at the 16-bit broadcast add's rate) -16% to -19%, rotary's add of two layouts -13% to -16%.
// Listed: RMSNorm's mean on Qwen2.5-0.5B, -25% to -29% (Llama-3.2-1B's -11% to -21%). It is priced
// as a streaming read; reduce_kernel<512, 1> over rows of 896 fp32 values (2048 for Llama) runs
// slower the shorter the row, a per-row cost not modelled.
const std::set<std::string> kListedOperators = {"qwen2.5-0.5b N=16384 rmsnorm: mean",
                                                "qwen2.5-0.5b N=32768 rmsnorm: mean"};

TEST(MeasuredPrefillKernels, EachElementwiseOperatorOfAForwardWithin25Percent) {
  std::map<std::tuple<std::string, std::int64_t>, std::map<std::string, double>> measured;
  for (const TracedKernel& k : traced_kernels()) {
    const std::string op = operator_of(k);
    if (k.impl == "sdpa" && k.seq >= 4096 && !op.empty()) measured[{k.model, k.seq}][op] += k.seconds;
  }
  ASSERT_EQ(measured.size(), 6u);  // two models at N = 4096, 16384, 32768
  int checked = 0;
  for (const auto& [key, ops] : measured) {
    const auto& [model, seq] = key;
    const std::map<std::string, double> predicted = predicted_by_operator(model, seq);
    for (const auto& [op, seconds] : ops) {
      if (seconds < 1e-3) continue;
      ASSERT_TRUE(predicted.count(op)) << op;
      const double error = predicted.at(op) / seconds - 1.0;
      std::cout << fmt::format("{} N={} {}: measured {:.2f} ms, predicted {:.2f} ms ({:+.1f}%)\n", model, seq, op,
                               1e3 * seconds, 1e3 * predicted.at(op), 100.0 * error);
      const std::string row = fmt::format("{} N={} {}", model, seq, op);
      if (kListedOperators.count(row)) {
        EXPECT_GT(std::fabs(error), 0.25) << row << " is listed but within 25% now: remove it";
        continue;
      }
      EXPECT_LT(std::fabs(error), 0.25) << row;
      ++checked;
    }
  }
  EXPECT_GE(checked, 40);
}

// Every elementwise kernel of a forward, the per-model set-up kernels (embedding gather, rotary
// tables, position ids) included on the measured side: within 10% from N = 4096 on, where they are
// 25-45% of the GPU's time (-0.4% to -5.6% on the six forwards). Priced as streaming HBM traffic
// they had come out 3-4x too fast.
TEST(MeasuredPrefillKernels, AForwardsElementwiseTimeWithin10Percent) {
  std::map<std::tuple<std::string, std::int64_t>, double> measured;
  for (const TracedKernel& k : traced_kernels()) {
    const bool matmul_or_attention = k.op == "aten::linear" || k.op == "aten::scaled_dot_product_attention";
    if (k.impl == "sdpa" && k.seq >= 4096 && !matmul_or_attention) measured[{k.model, k.seq}] += k.seconds;
  }
  ASSERT_EQ(measured.size(), 6u);
  const Gpu& h100 = attnsim::testing::gpu("h100-sxm");
  for (const auto& [key, seconds] : measured) {
    const auto& [model, seq] = key;
    const double predicted = hf_forward_elementwise_seconds(find_model(model), double(seq), Dtype::bf16, h100);
    const double error = predicted / seconds - 1.0;
    SCOPED_TRACE(
        fmt::format("{} N={}: measured {:.2f} ms, predicted {:.2f} ms", model, seq, 1e3 * seconds, 1e3 * predicted));
    EXPECT_LT(std::fabs(error), 0.10);
  }
}

}  // namespace
}  // namespace attnsim::capacity

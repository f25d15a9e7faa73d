// The capacity model against whole-model peaks measured on an H100 (validate/data/h100-sxm/capacity/:
// Hugging Face transformers 5.17, random bf16 weights from the published configs, one prefill with
// a KV cache). Nothing was fitted to these runs: every constant was set before they were taken.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "capacity/framework_launches.h"
#include "capacity/memory.h"
#include "capacity/phase_time.h"
#include "io/model_config.h"
#include "tests/test_support.h"
#include "validate/fccp_csv.h"
#include "validate/whole_model_records.h"

namespace attnsim::capacity {
namespace {

struct MeasuredRun {
  std::string file;
  std::string model;
  std::string impl;
  std::int64_t seq = 0;
  bool all_logits = true;
  bool kv_cache = true;
  bool ok = false;
  double peak_allocated_bytes = 0;
};

// Rows of a measured CSV by column name (the first file has no kv_cache column: every run kept one;
// an out-of-memory row leaves peak_allocated_bytes empty).
std::vector<MeasuredRun> runs_in(const std::string& file) {
  io::CSVReader<7, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
      std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h100-sxm/capacity/" + file);
  in.read_header(io::ignore_extra_column | io::ignore_missing_column, "model", "impl", "seq", "logits", "kv_cache",
                 "status", "peak_allocated_bytes");
  const bool has_kv_cache = in.has_column("kv_cache");
  std::vector<MeasuredRun> found;
  MeasuredRun r;
  std::string logits, kv_cache, status, peak;
  while (in.read_row(r.model, r.impl, r.seq, logits, kv_cache, status, peak)) {
    r.file = file;
    r.all_logits = logits == "all";
    r.kv_cache = !has_kv_cache || kv_cache == "dynamic";
    r.ok = status == "ok";
    r.peak_allocated_bytes = r.ok ? std::stod(peak) : 0.0;
    found.push_back(r);
  }
  return found;
}

// The run's setting: transformers 5 keeps logits in bf16 and grows a contiguous DynamicCache;
// max_memory_allocated() excludes the CUDA context and the segments' slack. PyTorch SDPA on an H100
// in bf16 runs its FlashAttention-2 backend. mamba_ssm was not installed (environment_v2.txt), so
// Falcon-H1 ran transformers' pure-PyTorch Mamba-2 path.
Scenario scenario_of(const MeasuredRun& r) {
  Scenario s;
  s.context = r.seq;
  s.attention = r.impl == "eager" ? "eager" : "flash2";
  s.all_logits = r.all_logits;
  s.kv_cache = r.kv_cache;
  s.logits_fp32 = false;
  s.kv_block_tokens = 1;
  s.runtime.cuda_context_bytes = 0;
  s.ssm_torch_reference = r.model == "falcon-h1-0.5b";
  return s;
}

// Out-of-memory runs the model predicts to fit, each with what is missing. Falcon-H1's pure-PyTorch
// scan at 32K: the allocated peak grows by exactly 1.651 MB per token from 1K to 16K (the fp32
// chunk x chunk x heads x state product is 1.573 of it), 51 GiB at 32K, and the allocated peak is
// right. The run fails on reserved memory (validate/data/h100-sxm/capacity/oom/): the inter-chunk
// decay product (heads x (chunks + 1)^2 x P x N in fp32, 48.38 GiB at 32K) asks for a new segment
// while the 48 GiB segment of the freed C x B product sits reserved, pinned by small tensors carved
// from it. At 16K the reserved peak shows the same, 38.8 GiB against 26.2 allocated. The model
// prices allocated bytes and segment rounding, not this fragmentation.
bool listed_oom_miss(const MeasuredRun& r) { return r.model == "falcon-h1-0.5b" && r.impl == "sdpa" && r.seq == 32768; }

struct FileExpectation {
  const char* file;
  std::size_t rows;
  int ok_rows;
};
void PrintTo(const FileExpectation& e, std::ostream* os) { *os << e.file; }

// peak_memory.csv: Llama-3.2-1B and Qwen2.5-0.5B with a KV cache (the first run);
// peak_memory_v2.csv: the same without a cache too, and Gemma 3 27B (5 local : 1 global layers);
// peak_memory_v3.csv: Phi-3-mini (fused qkv and gate_up) and Falcon-H1-0.5B (parallel hybrid).
class MeasuredPeak : public ::testing::TestWithParam<FileExpectation> {};

TEST_P(MeasuredPeak, WithinFivePercentOfEveryMeasuredH100Run) {
  const FileExpectation expected = GetParam();
  const std::vector<MeasuredRun> all = runs_in(expected.file);
  ASSERT_EQ(all.size(), expected.rows);
  const Gpu& h100 = attnsim::testing::gpu("h100-sxm");
  int compared = 0;
  double worst = 0;
  for (const MeasuredRun& r : all) {
    const MemoryBreakdown b = memory_at(find_model(r.model), h100, scenario_of(r));
    SCOPED_TRACE(fmt::format("{}: {} {} kv {} N={} logits {}", r.file, r.model, r.impl, r.kv_cache ? "dynamic" : "none",
                             r.seq, r.all_logits ? "all" : "last"));
    if (r.ok) {
      const double error = b.allocated_peak_bytes() / r.peak_allocated_bytes - 1.0;
      EXPECT_LT(std::fabs(error), 0.05) << "predicted " << b.allocated_peak_bytes() << " measured "
                                        << r.peak_allocated_bytes;
      worst = std::max(worst, std::fabs(error));
      ++compared;
    } else if (listed_oom_miss(r)) {
      // Fails once the missing tensor is modelled: then delete the listing.
      EXPECT_LT(b.total_bytes, h100.usable_or_capacity_bytes());
    } else {
      // Out of memory on the card: the prediction must not fit either.
      EXPECT_GT(b.total_bytes, h100.usable_or_capacity_bytes());
    }
  }
  EXPECT_EQ(compared, expected.ok_rows);
  RecordProperty("worst_relative_error", std::to_string(worst));
}

INSTANTIATE_TEST_SUITE_P(Runs, MeasuredPeak,
                         ::testing::Values(FileExpectation{"peak_memory.csv", 48, 42},
                                           FileExpectation{"peak_memory_v2.csv", 98, 90},
                                           FileExpectation{"peak_memory_v3.csv", 92, 80}));

}  // namespace
}  // namespace attnsim::capacity

namespace attnsim::capacity {
namespace {

// Whole-model prefill of the same models, host dispatch included (CUDA events around one eager-mode
// model() call): validate/data/h100-sxm/capacity/prefill_time.csv (use_cache=True) and
// validate/data/h200/capacity/prefill_mechanisms.csv (use_cache=False), and the interleaved rounds of
// validate/data/h100-sxm/host_dispatch/forwards.csv (use_cache=False, another H100 machine),
// predicted with the eager runtime. The default host time per operator was fitted on the H200's
// Llama rows alone.
std::vector<WholeModelRun> prefill_rows() {
  return small_model_prefill_runs(std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data");
}

// The sdpa path is PyTorch's default dispatch, which ran cuDNN's fused attention on these H100s and
// H200s (model/sdpa_dispatch.h).
PhaseTime predicted_prefill(const WholeModelRun& r, double host_seconds_per_operator) {
  Scenario s = scenario_of(r);
  s.runtime.host_seconds_per_operator = host_seconds_per_operator;
  return phase_time(find_model(r.model), attnsim::testing::gpu(r.gpu), s);
}

TEST(MeasuredPrefillTime, HostBoundShortPromptsAndGpuBoundLongOnes) {
  int gpu_bound = 0, host_bound = 0;
  for (const WholeModelRun& r : prefill_rows()) {
    const PhaseTime t = predicted_prefill(r, kHostSecondsPerOperator);
    const double error = t.total_seconds / r.measured_seconds - 1.0;
    SCOPED_TRACE(fmt::format("{} {} {} N={}: measured {:.2f} ms, predicted {:.2f} ms (GPU {:.2f}, host {:.2f})", r.gpu,
                             r.model, r.impl, r.seq, 1e3 * r.measured_seconds, 1e3 * t.total_seconds,
                             1e3 * t.gpu_seconds, 1e3 * t.host_seconds));
    if (t.gpu_seconds >= t.host_seconds) {
      // GPU-bound: attention (cuDNN under sdpa, the eager chain), GEMMs and the elementwise kernels
      // (capacity/layer_elementwise.h). -11.3% to +3.3% from N = 2048 to 32768, the 4K-8K rows where
      // the GPU's and the host's times meet included (they were 16-21% fast with sdpa priced as
      // FlashAttention-2 and RMSNorm and rotary as streaming bytes).
      EXPECT_LT(std::fabs(error), 0.15);
      ++gpu_bound;
    } else if (t.host_seconds > 2.0 * t.gpu_seconds) {
      // Host-bound at the default host time: each machine's CPU sets it (15.8-20.9 us per operator
      // measured on these three runs, against the 20.2 us default); calibrated per machine in the
      // next test, within 15%.
      EXPECT_LT(std::fabs(error), 0.40);
      ++host_bound;
    }
  }
  EXPECT_GE(gpu_bound, 25);
  EXPECT_GE(host_bound, 12);
}

// The host's time per operator is a property of the machine's CPU (--host-us-per-op). Measured on
// one model's host-bound forwards, it predicts the other rows on the same machine: Llama-3.2-1B's
// host-bound rows (predicted GPU time under half the measured time) give each machine its time (the
// upper median of measured time / operators dispatched), and every other row where the host is the
// longer at that time is the test: Qwen2.5-0.5B's, with 1.5x the operators and another layer count,
// and Llama's where the GPU's time comes within a factor of two of the host's.
// Listed: three H200 rows taken while that machine's CPU ran at another speed. Qwen's forward's 1289
// operators took 28.6-30.1 ms at N <= 1024 and 21.7 ms at N = 2048 and 4096; Llama's eager
// forwards ran at 15.6 us per operator against 24.7 for its sdpa ones, where the interleaved H100 run
// measured them 14% apart (prefill_mechanisms.csv ran every N of one configuration before the next,
// so a drift of the host fell on whole blocks of rows; validate/data/h100-sxm/host_dispatch/ has no
// such blocks).
const std::set<std::string> kCpuDriftRows = {"h200/capacity qwen2.5-0.5b sdpa 2048",
                                             "h200/capacity qwen2.5-0.5b sdpa 4096",
                                             "h200/capacity llama-3.2-1b eager 1024"};

TEST(MeasuredPrefillTime, HostTimePerOperatorOfOneModelPredictsAnotherOnTheSameMachine) {
  const std::vector<WholeModelRun> rows = prefill_rows();
  std::set<std::string> machines;
  for (const WholeModelRun& r : rows) machines.insert(r.machine);
  EXPECT_EQ(machines.size(), 3u);
  int tested = 0;
  for (const std::string& machine : machines) {
    const auto calibrates = [&](const WholeModelRun& r) {
      return r.machine == machine && r.model == "llama-3.2-1b" &&
             predicted_prefill(r, kHostSecondsPerOperator).gpu_seconds <= 0.5 * r.measured_seconds;
    };
    std::map<std::string, std::vector<double>> per_operator;  // by attention implementation
    for (const WholeModelRun& r : rows) {
      if (!calibrates(r)) continue;
      per_operator[r.impl].push_back(r.measured_seconds /
                                     hf_forward_launches(find_model(r.model), scenario_of(r).attention).operators);
    }
    ASSERT_FALSE(per_operator.empty()) << machine;
    // Each implementation's upper median, then their mean: one time per operator for the machine.
    double machine_seconds_per_operator = 0;
    for (auto& [impl, times] : per_operator) {
      std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
      machine_seconds_per_operator += times[times.size() / 2] / double(per_operator.size());
    }
    std::cout << fmt::format("{}: {:.1f} us per operator from Llama's host-bound rows\n", machine,
                             1e6 * machine_seconds_per_operator);
    for (const WholeModelRun& r : rows) {
      if (r.machine != machine || calibrates(r)) continue;
      const PhaseTime t = predicted_prefill(r, machine_seconds_per_operator);
      if (t.gpu_seconds > t.host_seconds) continue;
      const double error = t.total_seconds / r.measured_seconds - 1.0;
      const std::string row = fmt::format("{} {} {} {}", r.machine, r.model, r.impl, r.seq);
      SCOPED_TRACE(fmt::format("{}: measured {:.2f} ms, predicted {:.2f} ms", row, 1e3 * r.measured_seconds,
                               1e3 * t.total_seconds));
      if (kCpuDriftRows.count(row)) {
        EXPECT_GT(std::fabs(error), 0.15) << "listed as CPU drift but within 15% now: remove it";
        continue;
      }
      EXPECT_LT(std::fabs(error), 0.15);
      std::cout << fmt::format("  {}: {:+.1f}%\n", row, 100.0 * error);
      ++tested;
    }
  }
  EXPECT_GE(tested, 20);
}

}  // namespace
}  // namespace attnsim::capacity

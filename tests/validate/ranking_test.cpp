// The validation issue's ranking check: for one workload, the order of the backends (FlashAttention-2,
// cuDNN, CUTLASS fMHA, SDPA math, HF eager) and of the GPUs (H100, H200) that the committed
// measurements give is the order attnsim predicts. Two times within 10% of each other are a tie
// (run-to-run spread and clock differences reach that), so only pairs measured further apart count.
// Every pair out of order must be listed below with its reason; a listed pair back in order fails
// too, so the list cannot go stale.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/test_support.h"
#include "validate/comparison.h"
#include "validate/measured_clocks.h"
#include "validate/measured_runs.h"

namespace attnsim {
namespace {

constexpr double kTieRatio = 1.10;

struct Timed {
  std::string backend;
  double measured_seconds = 0;
  double predicted_seconds = 0;
};

std::string workload_key(const MeasuredRun& run) {
  const Workload& w = run.workload;
  return fmt::format("B={} H={} Hkv={} Nq={} Nk={} d={}{} {} {} {}", w.batch, w.heads, w.kv_heads, w.seq_q, w.seq_kv,
                     w.head_dim, w.causal ? " causal" : "", dtype_name(w.dtype), pass_name(w.pass), run.timing);
}

// Every compared run of `file` (relative to validate/data), grouped by workload and how it was timed.
std::map<std::string, std::vector<Timed>> timed_runs(const std::string& gpu_id, const std::string& file) {
  const std::filesystem::path data = std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data";
  const Gpu gpu = gpu_as_measured(testing::gpu(gpu_id), data, file);
  std::map<std::string, std::vector<Timed>> by_workload;
  for (const RunComparison& c : compare_runs(read_measured_runs(data / file), gpu, 4096).rows) {
    by_workload[workload_key(c.run)].push_back({c.run.backend, c.run.median_seconds, c.prediction.predicted_seconds});
  }
  return by_workload;
}

bool apart(double a, double b) { return std::max(a, b) > kTieRatio * std::min(a, b); }
bool same_order(const Timed& a, const Timed& b) {
  return (a.measured_seconds < b.measured_seconds) == (a.predicted_seconds < b.predicted_seconds);
}

// cuDNN's eager calls issued back to back run 30-70 us longer than their graph replays at N <= 1024
// (the listed miss time-mape/sdpa-cudnn/host-inclusive, validate/data/h200/known_misses.txt): against
// the other backends' 27-60 us calls that reverses the order.
bool is_cudnn_eager_short_call(const std::string& key, const Timed& a, const Timed& b) {
  const bool cudnn = a.backend == "sdpa-cudnn" || b.backend == "sdpa-cudnn";
  return cudnn && key.find(kHostInclusiveTiming) != std::string::npos &&
         (key.find("Nk=512 ") != std::string::npos || key.find("Nk=1024 ") != std::string::npos);
}

// Listed one by one: "<file> <workload> <backend> <backend>" and why.
const std::map<std::string, std::string> kListedBackendPairs = {
    {"h100-sxm/pytorch_attention.csv B=1 H=32 Hkv=32 Nq=512 Nk=512 d=64 causal bf16 forward cuda-events-per-call "
     "sdpa-flash sdpa-efficient",
     "sdpa-flash's causal N = 512, d = 64 call measured 98 us against 26 us not causal and 31 us for "
     "sdpa-efficient: an outlier of that run (the H200's is 18 us)"},
    {"h200/mechanisms/training.csv B=1 H=32 Hkv=32 Nq=512 Nk=512 d=128 causal bf16 forward "
     "cuda-events-back-to-back-eager sdpa-flash sdpa-efficient",
     "eager calls of 20-40 us, priced at one operator's 20.2 us of host time: sdpa-flash's took 37.8 us "
     "(26.6 us not causal), sdpa-efficient's 30.0 us"},
};

TEST(Ranking, BackendsForOneWorkloadInTheMeasuredOrder) {
  int pairs = 0, in_order = 0;
  std::set<std::string> misordered;
  for (const auto& [gpu, file] :
       std::vector<std::pair<std::string, std::string>>{{"h100-sxm", "h100-sxm/pytorch_attention.csv"},
                                                        {"h200", "h200/pytorch_attention.csv"},
                                                        {"h200", "h200/mechanisms/training.csv"},
                                                        {"a100-sxm-80gb", "published/a100-sxm-80gb.csv"},
                                                        {"rtx3090", "published/rtx3090.csv"},
                                                        {"rtx4090", "published/rtx4090.csv"},
                                                        {"rtx5090", "published/rtx5090.csv"}}) {
    for (const auto& [key, runs] : timed_runs(gpu, file)) {
      for (std::size_t i = 0; i < runs.size(); ++i) {
        for (std::size_t j = i + 1; j < runs.size(); ++j) {
          const Timed& a = runs[i];
          const Timed& b = runs[j];
          if (a.backend == b.backend || !apart(a.measured_seconds, b.measured_seconds)) continue;
          ++pairs;
          if (same_order(a, b)) {
            ++in_order;
          } else if (!is_cudnn_eager_short_call(key, a, b)) {
            misordered.insert(fmt::format("{} {} {} {}", file, key, a.backend, b.backend));
          }
        }
      }
    }
  }
  RecordProperty("pairs", std::to_string(pairs));
  RecordProperty("in_order", std::to_string(in_order));
  std::cout << fmt::format("backend pairs measured >10% apart: {}, in the measured order: {} ({:.1f}%)\n", pairs,
                           in_order, 100.0 * in_order / std::max(pairs, 1));
  EXPECT_GT(pairs, 1000);
  EXPECT_GE(double(in_order), 0.98 * pairs);
  for (const std::string& pair : misordered) {
    EXPECT_TRUE(kListedBackendPairs.count(pair)) << "out of order and not listed: " << pair;
  }
  for (const auto& [pair, why] : kListedBackendPairs) {
    EXPECT_TRUE(misordered.count(pair)) << "listed but in order now: remove it: " << pair;
  }
}

// The GPUs' order for the same workload and backend: the H100's file against the H200's.
// None now: FlashAttention-2's B = 64 decode came into order once a CTA's first key block's loads
// and last block's compute were priced as exposed (KernelCost::key_blocks_per_cta), and the H100's
// 98 us sdpa-flash outlier at causal N = 512 with them.
const std::map<std::string, std::string> kListedGpuPairs = {};

TEST(Ranking, GpusForOneWorkloadInTheMeasuredOrder) {
  const auto h100 = timed_runs("h100-sxm", "h100-sxm/pytorch_attention.csv");
  const auto h200 = timed_runs("h200", "h200/pytorch_attention.csv");
  int pairs = 0, in_order = 0;
  std::set<std::string> misordered;
  for (const auto& [key, runs] : h100) {
    const auto other = h200.find(key);
    if (other == h200.end()) continue;
    for (const Timed& a : runs) {
      for (const Timed& b : other->second) {
        if (a.backend != b.backend || !apart(a.measured_seconds, b.measured_seconds)) continue;
        ++pairs;
        if (same_order(a, b)) {
          ++in_order;
        } else {
          misordered.insert(key + " " + a.backend);
        }
      }
    }
  }
  std::cout << fmt::format("H100 against H200, pairs measured >10% apart: {}, in the measured order: {}\n", pairs,
                           in_order);
  EXPECT_GT(pairs, 40);
  for (const std::string& pair : misordered) {
    EXPECT_TRUE(kListedGpuPairs.count(pair)) << "out of order and not listed: " << pair;
  }
  for (const auto& [pair, why] : kListedGpuPairs) {
    EXPECT_TRUE(misordered.count(pair)) << "listed but in order now: remove it: " << pair;
  }
}

// Published runs of one workload on several GPUs (SageAttention's kernel-speed figures: the same
// B = 4, H = 32 shapes on an A100, RTX 3090, 4090 and 5090; and wherever else two GPUs' files share a
// shape): per workload and kernel, every pair of GPUs measured more than 10% apart, in the order
// attnsim predicts from their profiles; a pair out of order is listed with its reason.
const std::map<std::string, std::string> kListedPublishedGpuPairs = {
    {"B=4 H=32 Hkv=32 Nq=2048 Nk=2048 d=128 fp16 forward published flash2: a100-sxm-80gb against rtx5090",
     "measured 12% apart (176 against 198 TFLOP/s): the 5090's rows are priced at its rated 2407 MHz boost "
     "and come out 14% slow throughout (published/README.md), the A100's within 5%"},
    {"B=4 H=32 Hkv=32 Nq=2048 Nk=2048 d=128 fp16 forward published mem-efficient: a100-sxm-80gb against rtx4090",
     "measured 10.4% apart (106 against 96 TFLOP/s), predicted 4% apart the other way: the 4090's row "
     "6% fast, the A100's 6% slow"},
};

TEST(Ranking, PublishedGpusForOneWorkloadInTheMeasuredOrder) {
  struct GpuRun {
    std::string gpu;
    Timed run;
  };
  std::map<std::string, std::vector<GpuRun>> by_workload_and_kernel;
  const std::filesystem::path data = std::filesystem::path(ATTNSIM_SOURCE_DIR) / "validate/data";
  for (const std::string gpu_id : {"a100-sxm-80gb", "h100-sxm", "b200", "rtx3090", "rtx4090", "rtx5090"}) {
    const std::string file = "published/" + gpu_id + ".csv";
    const Gpu gpu = gpu_as_measured(testing::gpu(gpu_id), data, file);
    for (const RunComparison& c : compare_runs(read_measured_runs(data / file), gpu, 4096).rows) {
      by_workload_and_kernel[workload_key(c.run) + " " + c.run.variant].push_back(
          {gpu_id, {c.run.backend, c.run.median_seconds, c.prediction.predicted_seconds}});
    }
  }
  int pairs = 0, in_order = 0;
  std::set<std::string> gpus_compared, misordered;
  for (const auto& [key, runs] : by_workload_and_kernel) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      for (std::size_t j = i + 1; j < runs.size(); ++j) {
        const GpuRun& a = runs[i];
        const GpuRun& b = runs[j];
        if (a.gpu == b.gpu || !apart(a.run.measured_seconds, b.run.measured_seconds)) continue;
        ++pairs;
        gpus_compared.insert(a.gpu);
        gpus_compared.insert(b.gpu);
        if (same_order(a.run, b.run)) {
          ++in_order;
        } else {
          misordered.insert(key + ": " + a.gpu + " against " + b.gpu);
        }
      }
    }
  }
  std::cout << fmt::format("published GPU pairs measured >10% apart: {}, in the measured order: {}\n", pairs, in_order);
  EXPECT_GT(pairs, 100);
  EXPECT_GE(gpus_compared.size(), 4u);
  for (const std::string& pair : misordered) {
    EXPECT_TRUE(kListedPublishedGpuPairs.count(pair)) << "out of order and not listed: " << pair;
  }
  for (const auto& [pair, why] : kListedPublishedGpuPairs) {
    EXPECT_TRUE(misordered.count(pair)) << "listed but in order now: remove it: " << pair;
  }
}

}  // namespace
}  // namespace attnsim

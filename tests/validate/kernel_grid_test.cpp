// CUTLASS fMHA's forward (PyTorch's memory-efficient backend) against its kernels measured on an
// H200 over head dims 64-512, N = 1K-16K, causal and not
// (validate/data/h200/breakdown_efficient_forward/kernels.csv). Nothing in the forward's model was
// fitted, and nothing at all on these runs: they test whether the kernel classes
// (model/variants/mem_efficient.cpp: 64x64 and 64x128 with O in registers, 32x128 with O in global
// memory) carry across head dims the calibration data never had.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "tests/test_support.h"
#include "validate/fccp_csv.h"

namespace attnsim {
namespace {

struct KernelRun {
  Workload workload;
  double seconds = 0;
};

std::vector<KernelRun> efficient_forward_kernels() {
  const std::string file =
      std::string(ATTNSIM_SOURCE_DIR) + "/validate/data/h200/breakdown_efficient_forward/kernels.csv";
  io::CSVReader<9, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(file);
  in.read_header(io::ignore_extra_column, "batch", "heads", "kv_heads", "seq_q", "seq_kv", "head_dim", "causal",
                 "status", "duration_seconds");
  std::vector<KernelRun> runs;
  std::int64_t batch = 0, heads = 0, kv_heads = 0, seq_q = 0, seq_kv = 0, head_dim = 0;
  std::string causal, status;
  double seconds = 0;
  while (in.read_row(batch, heads, kv_heads, seq_q, seq_kv, head_dim, causal, status, seconds)) {
    if (status != "ok") continue;
    Workload w = testing::workload(seq_kv, heads, head_dim);
    w.batch = batch;
    w.kv_heads = kv_heads;
    w.seq_q = seq_q;
    w.causal = causal == "true";
    runs.push_back({w, seconds});
  }
  return runs;
}

// The kernel alone: the measured duration is one kernel's, without its launch.
double kernel_seconds(const Prediction& p) { return p.predicted_seconds - p.launch_seconds; }

TEST(KernelGrid, CutlassForwardAcrossHeadDimsOnTheH200WithinFifteenPercent) {
  const std::vector<KernelRun> runs = efficient_forward_kernels();
  ASSERT_EQ(runs.size(), 42u);
  double sum = 0, worst = 0;
  for (const KernelRun& r : runs) {
    const double error = kernel_seconds(testing::run("mem-efficient", r.workload, "h200")) / r.seconds - 1.0;
    SCOPED_TRACE(fmt::format("d={} N={} causal={}: error {:+.1f}%", r.workload.head_dim, r.workload.seq_kv,
                             r.workload.causal, 100.0 * error));
    sum += std::fabs(error);
    worst = std::max(worst, std::fabs(error));
    // Every kernel within 25% (the worst, d = 512 at N = 1024, 24% fast) since a share of the 32x128
    // "gmem" kernel's accumulator round trips comes from DRAM as its resident tiles outgrow an L2
    // partition (d >= 384 on the H200); priced from L2 they ran 2-35% slower than that.
    EXPECT_LT(std::fabs(error), 0.25);
  }
  const double mape = sum / double(runs.size());
  RecordProperty("mape_percent", std::to_string(100.0 * mape));
  RecordProperty("worst_percent", std::to_string(100.0 * worst));
  EXPECT_LT(mape, 0.15);
}

}  // namespace
}  // namespace attnsim

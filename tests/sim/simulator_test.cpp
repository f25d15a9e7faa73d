// The simulator's checks: its zero-L2 and infinite-L2 limits coincide with the analytic model's
// no-reuse and compulsory traffic; FlashAttention-1 traffic follows N^2 d^2 / M; causal halves the
// tile steps; waves and time agree with the analytic model where its assumptions hold.
#include <gtest/gtest.h>

#include <random>

#include "model/error.h"
#include "model/loglog_fit.h"
#include "model/timing.h"
#include "sim/simulate.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

using testing::gpu;
using testing::workload;

constexpr double kHugeL2Bytes = 1e12;

sim::SimResult simulate(const std::string& variant, const Workload& w, const std::string& gpu_id,
                        std::optional<double> l2_bytes = std::nullopt, const VariantKnobs& knobs = {}) {
  sim::SimOptions options;
  options.l2_bytes = l2_bytes;
  return sim::simulate(w, gpu(gpu_id), find_variant(variant), knobs, options);
}

double hbm_bytes(const Prediction& p) { return p.hbm_read_bytes + p.hbm_write_bytes; }

std::vector<Workload> shapes() {
  std::vector<Workload> list;
  Workload full = workload(4096, 8, 128);
  list.push_back(full);
  Workload causal = full;
  causal.causal = true;
  list.push_back(causal);
  Workload gqa = workload(3000, 16, 64);  // partial last blocks, GQA group of 4
  gqa.kv_heads = 4;
  gqa.batch = 2;
  gqa.causal = true;
  list.push_back(gqa);
  Workload cross = workload(2048, 32, 128);  // Nq < Nk, bottom-right causal
  cross.seq_kv = 5000;
  cross.causal = true;
  list.push_back(cross);
  return list;
}

TEST(SimBytes, EqualCompulsoryWhenL2HoldsAllOfKAndV) {
  for (const Workload& w : shapes()) {
    const sim::SimResult r = simulate("flash2", w, "h100-sxm", kHugeL2Bytes);
    const Cost& c = r.prediction.cost;
    EXPECT_NEAR(r.prediction.hbm_read_bytes, c.compulsory_read_bytes, 1e-9 * c.compulsory_read_bytes) << w.seq_q;
    EXPECT_NEAR(r.prediction.hbm_write_bytes, c.compulsory_write_bytes, 1e-9 * c.compulsory_write_bytes) << w.seq_q;
  }
}

TEST(SimBytes, EqualTheAnalyticNoReuseTrafficWhenL2IsEmpty) {
  for (const Workload& w : shapes()) {
    const sim::SimResult r = simulate("flash2", w, "h100-sxm", 0.0);
    const Prediction model = testing::run("flash2", w);
    const KernelCost& analytic = model.cost.kernels[0];
    EXPECT_DOUBLE_EQ(r.prediction.hbm_read_bytes, analytic.l2_read_bytes) << w.seq_q << " causal " << w.causal;
    EXPECT_DOUBLE_EQ(r.prediction.hbm_write_bytes, analytic.hbm_write_bytes);
    EXPECT_EQ(r.kernels[0].l2_hit_rate(), 0.0);
  }
}

TEST(SimBytes, SplitKvDecodeReadsWhatTheAnalyticSplitKernelCountsWhenL2IsEmpty) {
  Workload w = workload(32768, 32, 128);
  w.seq_q = 1;
  w.kv_heads = 8;
  w.batch = 2;
  const sim::SimResult r = simulate("flash-decode", w, "h100-sxm", 0.0);
  const Cost analytic = testing::run("flash-decode", w).cost;
  ASSERT_EQ(r.kernels.size(), 2u);
  ASSERT_EQ(analytic.kernels.size(), 2u);
  // Every split's CTA loads its own Q tile; the analytic count reads Q once.
  const double splits = double(r.kernels[0].ctas) / double(w.batch * w.kv_heads);
  EXPECT_DOUBLE_EQ(r.prediction.cost.kernels[0].hbm_read_bytes, analytic.kernels[0].l2_read_bytes + (splits - 1) * q_bytes(w));
  EXPECT_DOUBLE_EQ(r.prediction.cost.kernels[1].hbm_read_bytes, analytic.kernels[1].hbm_read_bytes);
  EXPECT_DOUBLE_EQ(r.prediction.hbm_write_bytes, analytic.kernels[0].hbm_write_bytes + analytic.kernels[1].hbm_write_bytes);
}

TEST(SimBytes, Flash1TrafficFallsAsOneOverSramSize) {
  // Theorem 2 of arXiv 2205.14135: Theta(N^2 d^2 / M) HBM accesses; the outputs are re-read per key
  // block, so with no L2 to absorb them the exponent of bytes in M is -1.
  const Workload w = workload(8192, 2, 64);
  std::vector<double> sram, bytes;
  for (const double kib : {16.0, 32.0, 64.0, 128.0}) {
    Gpu g = gpu("h100-sxm");
    g.shared_memory_per_block_bytes = kib * 1024.0;
    sim::SimOptions no_l2;
    no_l2.l2_bytes = 0.0;
    const sim::SimResult r = sim::simulate(w, g, find_variant("flash1"), {}, no_l2);
    sram.push_back(g.shared_memory_per_block_bytes);
    bytes.push_back(hbm_bytes(r.prediction) - r.prediction.cost.compulsory_read_bytes - r.prediction.cost.compulsory_write_bytes);
  }
  const PowerLawFit fit = fit_power_law(sram, bytes);
  EXPECT_NEAR(fit.exponent, -1.0, 0.1);
  EXPECT_GT(fit.r_squared, 0.99);
}

TEST(SimSchedule, CausalRunsHalfTheTileStepsAndUniformWorkRunsCeilWaves) {
  const Workload full = workload(8192, 16, 128);
  Workload causal = full;
  causal.causal = true;
  const sim::SimResult a = simulate("flash2", full, "h100-sxm");
  const sim::SimResult b = simulate("flash2", causal, "h100-sxm");
  EXPECT_NEAR(b.kernels[0].cta_steps / a.kernels[0].cta_steps, 0.5, 0.02);
  for (const std::string id : {"h100-sxm", "rtx4090", "a100-sxm-80gb"}) {
    const sim::SimResult r = simulate("flash2", full, id);
    const sim::KernelStats& k = r.kernels[0];
    EXPECT_EQ(k.waves, std::ceil(k.ctas / (gpu(id).sm_count * k.ctas_per_sm))) << id;
    EXPECT_EQ(r.prediction.kernels[0].waves, testing::run("flash2", full, id).kernels[0].waves) << id;
  }
}

TEST(SimTime, AgreesWithTheAnalyticModelWhereItsAssumptionsHold) {
  // Long sequences, every K/V re-read absorbed by L2 or compulsory, full waves: within 10%.
  for (const std::string id : {"h100-sxm", "rtx4090"}) {
    for (const std::int64_t n : {16384, 32768}) {
      const Workload w = workload(n, 32, 128);
      const double analytic = testing::run("flash2", w, id).predicted_seconds;
      const double simulated = simulate("flash2", w, id).prediction.predicted_seconds;
      EXPECT_NEAR(simulated / analytic, 1.0, 0.10) << id << " N=" << n;
    }
  }
}

TEST(SimTime, L2BandwidthFromTheProfileLengthensRoundsThatReadMoreThanItCarries) {
  const Workload w = workload(8192, 32, 128);
  Gpu slow_l2 = gpu("h100-sxm");
  ASSERT_TRUE(slow_l2.l2_bytes_per_second.has_value());  // measured, validate/data/h100-sxm/l2_bandwidth.csv
  EXPECT_FALSE(gpu("rtx4090").l2_bytes_per_second.has_value());
  const sim::SimResult measured = sim::simulate(w, slow_l2, find_variant("flash2"), {});
  EXPECT_EQ(measured.kernels[0].l2_bound_seconds, 0.0);  // 128x64 tiles: L2 keeps up with compute
  slow_l2.l2_bytes_per_second = *slow_l2.l2_bytes_per_second / 10.0;
  const sim::SimResult slow = sim::simulate(w, slow_l2, find_variant("flash2"), {});
  EXPECT_GT(slow.kernels[0].l2_bound_seconds, 0.9 * (slow.kernels[0].seconds - slow_l2.kernel_launch_seconds));
  EXPECT_GT(slow.prediction.predicted_seconds, 1.5 * measured.prediction.predicted_seconds);
  EXPECT_EQ(slow.prediction.bound, "memory");
}

TEST(SimProperty, RandomSmallWorkloadsNeverBeatCompulsoryBytesOrTheRooflineFloor) {
  std::mt19937 rng(20241125);
  const std::vector<std::string> gpus = {"h100-sxm", "rtx4090", "a100-sxm-80gb"};
  for (int i = 0; i < 40; ++i) {
    Workload w;
    const std::int64_t group = std::int64_t{1} << (rng() % 3);
    w.kv_heads = 1 + rng() % 4;
    w.heads = w.kv_heads * group;
    w.batch = 1 + rng() % 3;
    w.seq_q = 1 + rng() % 3000;
    w.seq_kv = w.seq_q + (rng() % 2 ? 0 : std::int64_t(rng() % 2000));
    w.head_dim = w.head_dim_v = (rng() % 2) ? 64 : 128;
    w.causal = rng() % 2;
    const std::string& id = gpus[rng() % gpus.size()];
    const double l2 = std::vector<double>{0.0, gpu(id).l2_bytes, 1e5, kHugeL2Bytes}[rng() % 4];
    const std::string variant = w.seq_q == 1 ? "flash-decode" : "flash2";
    const sim::SimResult r = simulate(variant, w, id, l2);
    const Prediction& p = r.prediction;
    const double compulsory = p.cost.compulsory_read_bytes + p.cost.compulsory_write_bytes;
    EXPECT_GE(hbm_bytes(p), compulsory * (1 - 1e-12)) << "case " << i;
    double floor = 0;
    for (const KernelCost& k : p.cost.kernels) {
      floor += std::max(compute_seconds(k, gpu(id)), 0.0) + k.efficiency.launch_seconds.value_or(gpu(id).kernel_launch_seconds);
    }
    floor = std::max(floor, compulsory / (gpu(id).hbm_bytes_per_second));
    EXPECT_GE(p.predicted_seconds, floor * (1 - 1e-9)) << "case " << i;
  }
}

TEST(SimSampling, ASampleOfHeadsScalesToTheFullRun) {
  const Workload w = workload(16384, 32, 128);
  const sim::SimResult full = simulate("flash2", w, "h100-sxm");
  sim::SimOptions options;
  options.max_tile_steps = 6e5;  // 9 of 16 waves
  const sim::SimResult sampled = sim::simulate(w, gpu("h100-sxm"), find_variant("flash2"), {}, options);
  EXPECT_LT(sampled.sample_fraction, 0.6);
  EXPECT_DOUBLE_EQ(full.sample_fraction, 1.0);
  EXPECT_NEAR(sampled.prediction.predicted_seconds / full.prediction.predicted_seconds, 1.0, 0.05);
  EXPECT_NEAR(hbm_bytes(sampled.prediction) / hbm_bytes(full.prediction), 1.0, 0.05);
  bool said_so = false;
  for (const std::string& note : sampled.prediction.cost.notes) said_so |= note.find("scaled") != std::string::npos;
  EXPECT_TRUE(said_so);
}

TEST(SimInput, BackwardAndVariantsWithoutATileProgramAreRejected) {
  Workload w = workload(1024);
  EXPECT_THROW(simulate("eager", w, "h100-sxm"), InvalidInput);
  w.pass = Pass::backward;
  EXPECT_THROW(simulate("flash2", w, "h100-sxm"), InvalidInput);
}

std::string refused_field(const std::string& variant, const Workload& w, const sim::SimOptions& options = {}) {
  try {
    sim::simulate(w, gpu("h100-sxm"), find_variant(variant), {}, options);
  } catch (const InvalidInput& e) {
    return e.field();
  }
  return "";
}

TEST(SimInput, CallsTooLargeToSimulateAreRefusedNotRun) {
  EXPECT_EQ(refused_field("flash2", workload(1000000000)), "seq");  // 1.75e9 tiles in the L2 model
  EXPECT_EQ(refused_field("flash1", workload(10000000)), "seq");    // 2^24 tiles per head exceeded
  // N = 16K, 32 heads on an H100: 2 waves of 264 slots are 528 CTAs of 256 steps, 135168 steps.
  sim::SimOptions options;
  options.max_tile_steps = 1e5;
  options.max_sample_tile_steps = 135168;
  EXPECT_EQ(refused_field("flash2", workload(16384), options), "");
  options.max_sample_tile_steps = 135167;
  EXPECT_EQ(refused_field("flash2", workload(16384), options), "seq");
}

}  // namespace
}  // namespace attnsim

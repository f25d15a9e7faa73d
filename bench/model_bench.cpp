// Speed of the analytic model: one prediction, and a 10^6-point sweep, on one core.
#include <benchmark/benchmark.h>

#include "io/gpu_profile.h"
#include "model/variant.h"

namespace attnsim {
namespace {

Workload study_workload(std::int64_t seq) {
  Workload w;
  w.heads = w.kv_heads = 32;
  w.seq_q = w.seq_kv = seq;
  w.head_dim = w.head_dim_v = 128;
  w.causal = true;
  return w;
}

void BM_PredictOne(benchmark::State& state, const char* variant) {
  const Gpu gpu = find_gpu("h100-sxm");
  const Variant& v = find_variant(variant);
  const Workload w = study_workload(16384);
  for (auto _ : state) benchmark::DoNotOptimize(predict(w, gpu, v, {}).predicted_seconds);
}
BENCHMARK_CAPTURE(BM_PredictOne, flash2, "flash2");
BENCHMARK_CAPTURE(BM_PredictOne, flash3, "flash3");
BENCHMARK_CAPTURE(BM_PredictOne, eager, "eager");
BENCHMARK_CAPTURE(BM_PredictOne, flash_decode, "flash-decode");
BENCHMARK_CAPTURE(BM_PredictOne, ssm_scan, "ssm-scan");

// The costliest prediction: a causal grid of 8 waves (2048 CTAs on an H100), list-scheduled CTA by CTA.
void BM_PredictListScheduled(benchmark::State& state) {
  const Gpu gpu = find_gpu("h100-sxm");
  const Variant& v = find_variant("flash2");
  const Workload w = study_workload(8192);
  for (auto _ : state) benchmark::DoNotOptimize(predict(w, gpu, v, {}).predicted_seconds);
}
BENCHMARK(BM_PredictListScheduled);

// A million predictions: flash2 over N = 1 ... 10^6 (every length), one core.
void BM_SweepMillion(benchmark::State& state) {
  const Gpu gpu = find_gpu("h100-sxm");
  const Variant& v = find_variant("flash2");
  for (auto _ : state) {
    double total = 0.0;
    for (std::int64_t n = 1; n <= 1'000'000; ++n) total += predict(study_workload(n), gpu, v, {}).predicted_seconds;
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * 1'000'000);
}
BENCHMARK(BM_SweepMillion)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace attnsim

BENCHMARK_MAIN();

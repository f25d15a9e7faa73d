// Speed of the tile-level simulator (sim/): FlashAttention-2 forward on H100 at N = 32K and 128K,
// one core, reported as simulated tile steps per second; and a 100-tile x 10-length what-if sweep
// on two threads. Targets (issue "Simulator"): 32K under 1 s (>= 50 M steps/s), 128K under 10 s,
// the sweep under 10 s.
#include <benchmark/benchmark.h>

#include "io/gpu_profile.h"
#include "sim/simulate.h"
#include "sim/tile_candidates.h"

namespace attnsim {
namespace {

Workload forward_workload(std::int64_t seq, bool causal) {
  Workload w;
  w.heads = w.kv_heads = 32;
  w.seq_q = w.seq_kv = seq;
  w.head_dim = w.head_dim_v = 128;
  w.causal = causal;
  return w;
}

void BM_SimulateFlash2Forward(benchmark::State& state) {
  const Gpu gpu = find_gpu("h100-sxm");
  const Workload w = forward_workload(state.range(0), state.range(1) != 0);
  double steps = 0;
  double sampled = 1.0;
  for (auto _ : state) {
    const sim::SimResult r = sim::simulate(w, gpu, find_variant("flash2"), {});
    steps = r.kernels[0].cta_steps * r.sample_fraction;
    sampled = r.sample_fraction;
    benchmark::DoNotOptimize(r.prediction.predicted_seconds);
  }
  state.counters["tile_steps_per_second"] =
      benchmark::Counter(steps * double(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["simulated_fraction"] = sampled;
}
BENCHMARK(BM_SimulateFlash2Forward)
    ->ArgNames({"N", "causal"})
    ->Args({32768, 0})
    ->Args({32768, 1})
    ->Args({131072, 0})
    ->Args({131072, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// 100 tiles (block M, block N in 16..160 by 16, 1 stage) x 10 lengths (N = 2K ... 20K), 2 threads.
void BM_TileSweep100x10(benchmark::State& state) {
  const Gpu gpu = find_gpu("h100-sxm");
  sim::TileGrid grid;
  for (std::int64_t b = 16; b <= 160; b += 16) {
    grid.block_m.push_back(b);
    grid.block_n.push_back(b);
  }
  grid.stages = {1};
  sim::SimOptions options;  // as attnsim tiles runs them
  options.max_tile_steps = sim::kWhatIfMaxTileSteps;
  double simulated = 0;
  for (auto _ : state) {
    simulated = 0;
    for (std::int64_t k = 1; k <= 10; ++k) {
      const auto rows = sim::sweep_tiles(forward_workload(2048 * k, false), gpu, find_variant("flash2"), grid, options, 2);
      for (const sim::TileCandidate& c : rows) simulated += c.infeasible.empty() ? 1.0 : 0.0;
    }
  }
  state.counters["simulated_candidates"] = simulated;
}
BENCHMARK(BM_TileSweep100x10)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace attnsim

BENCHMARK_MAIN();

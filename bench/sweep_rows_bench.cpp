// The C++ part of a 10^5-point sweep from Python: the typed rows the module converts
// (cli::sweep_rows), against rendering the same rows as the JSON text the module used to parse.
// The Python side is timed by python/bench/sweep_bench.py; figures in docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <sstream>

#include "cli/app.h"
#include "cli/sweep_rows.h"

namespace {

// 10^5 lengths of one variant on one GPU: the largest sweep the command accepts (kMaxSweepPredictions).
const std::vector<std::string> kArgs = {"--gpu", "h100-sxm", "--variant", "flash2", "--seq", "1:100000:+1"};

void BM_SweepRows100k(benchmark::State& state) {
  for (auto _ : state) {
    const attnsim::cli::SweepRows rows = attnsim::cli::sweep_rows(kArgs);
    benchmark::DoNotOptimize(rows.points.data());
  }
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_SweepRows100k)->Unit(benchmark::kMillisecond)->Iterations(3);

// The same points handed one by one to a sink that drops them, as the Python module streams them.
void BM_SweepRowsStreamed100k(benchmark::State& state) {
  for (auto _ : state) {
    std::size_t fields = 0;
    attnsim::cli::sweep_rows(kArgs, [&](attnsim::Record&& r) { fields += r.size(); });
    benchmark::DoNotOptimize(fields);
  }
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_SweepRowsStreamed100k)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_SweepJson100k(benchmark::State& state) {
  std::vector<std::string> args = {"sweep"};
  args.insert(args.end(), kArgs.begin(), kArgs.end());
  args.insert(args.end(), {"--format", "json"});
  for (auto _ : state) {
    std::ostringstream out;
    std::ostringstream err;
    benchmark::DoNotOptimize(attnsim::cli::run(args, out, err));
    benchmark::DoNotOptimize(out.str().size());
  }
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_SweepJson100k)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

// Speed of the capacity planner: one whole-model peak, and the bisection for the longest context
// (about 40 peaks), on one core.
#include <benchmark/benchmark.h>

#include "capacity/longest_context.h"
#include "io/gpu_profile.h"
#include "io/model_config.h"

namespace attnsim::capacity {
namespace {

void BM_MemoryAt(benchmark::State& state, const char* model_id, const char* impl) {
  const ModelConfig model = find_model(model_id);
  const Gpu gpu = find_gpu("h100-sxm");
  Scenario s;
  s.context = 131072;
  s.attention = impl;
  for (auto _ : state) benchmark::DoNotOptimize(memory_at(model, gpu, s).total_bytes);
}
BENCHMARK_CAPTURE(BM_MemoryAt, llama_8b_flash2, "llama-3.1-8b", "flash2");
BENCHMARK_CAPTURE(BM_MemoryAt, falcon_h1_eager, "falcon-h1-0.5b", "eager");

void BM_LongestContext(benchmark::State& state, const char* model_id, const char* impl) {
  const ModelConfig model = find_model(model_id);
  const Gpu gpu = find_gpu("rtx4090");
  Scenario s;
  s.attention = impl;
  for (auto _ : state) benchmark::DoNotOptimize(longest_context(model, gpu, s, gpu.memory_capacity_bytes).tokens);
}
BENCHMARK_CAPTURE(BM_LongestContext, llama_1b_eager, "llama-3.2-1b", "eager");
BENCHMARK_CAPTURE(BM_LongestContext, llama_1b_flash2, "llama-3.2-1b", "flash2");

}  // namespace
}  // namespace attnsim::capacity

// attnsim-memory-latency: the round-trip time of one global load that hits in L2, and of one that
// misses to HBM, as a kernel with nothing else in flight sees it. Short kernels (a split-KV combine
// that walks its splits one load at a time, a decode step whose CTAs each stream one key block) are
// bound by chains of such round trips, not by bandwidth (docs/model.md, "Dependent round trips").
//
// One thread per CTA chases a pointer chain (each load's address is the previous load's value, so
// no two are in flight): a random cyclic permutation of 128-byte lines over a buffer of the given
// size, read with ld.global.cg (L2 only, bypassing L1). A buffer far inside L2 measures L2 hits, one
// far beyond it HBM. `ctas` CTAs chase disjoint chains at once (1: an idle GPU; one per SM: every
// SM waiting, as a latency-bound grid does). Cycles come from clock64() and nanoseconds from
// %globaltimer in the same kernel, so the clock the SMs held is measured too.
//   attnsim-memory-latency [MiB ...]   (default: 4 16 2048)
// Output: CSV `buffer_mib,level,ctas,loads_per_chain,cycles_per_load,ns_per_load,sm_mhz`, median CTA.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    std::fprintf(stderr, "attnsim-memory-latency: %s: %s\n", what, cudaGetErrorString(status));
    std::exit(1);
  }
}

// 128-byte lines: one L2 sector group per hop, so no hop shares a line with the one before.
constexpr std::size_t kLineWords = 128 / sizeof(std::uint64_t);

__device__ __forceinline__ std::uint64_t global_nanoseconds() {
  std::uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

struct ChainTiming {
  unsigned long long cycles;
  unsigned long long nanoseconds;
};

// Each CTA starts at its own line: `warm_hops` untimed loads, then `hops` timed ones. For an L2
// measurement the warm-up walks the whole cycle, so every timed load hits; for HBM it is short and
// the timed loads go to lines not touched since the buffer was written.
__global__ void chase(const std::uint64_t* __restrict__ lines, std::uint64_t lines_per_cta, std::uint64_t warm_hops,
                      int hops, ChainTiming* timing, std::uint64_t* sink) {
  if (threadIdx.x != 0) return;
  std::uint64_t index = std::uint64_t(blockIdx.x) * lines_per_cta;
  for (std::uint64_t i = 0; i < warm_hops; ++i) index = __ldcg(lines + index * kLineWords);
  const long long start_cycles = clock64();
  const std::uint64_t start_ns = global_nanoseconds();
  for (int i = 0; i < hops; ++i) index = __ldcg(lines + index * kLineWords);
  const long long cycles = clock64() - start_cycles;
  const std::uint64_t ns = global_nanoseconds() - start_ns;
  timing[blockIdx.x] = {static_cast<unsigned long long>(cycles), static_cast<unsigned long long>(ns)};
  sink[blockIdx.x] = index;  // keeps the chain alive
}

// Per CTA a random cycle over its own `lines_per_cta` lines; the first word of a line holds the
// global index of the next line.
std::vector<std::uint64_t> chains(std::uint64_t lines_per_cta, int ctas, std::mt19937_64& rng) {
  std::vector<std::uint64_t> words(lines_per_cta * std::uint64_t(ctas) * kLineWords, 0);
  std::vector<std::uint64_t> order(lines_per_cta);
  for (int c = 0; c < ctas; ++c) {
    std::iota(order.begin(), order.end(), std::uint64_t(0));
    std::shuffle(order.begin() + 1, order.end(), rng);  // the chain starts at the CTA's first line
    const std::uint64_t base = std::uint64_t(c) * lines_per_cta;
    for (std::uint64_t i = 0; i < lines_per_cta; ++i) {
      words[(base + order[i]) * kLineWords] = base + order[(i + 1) % lines_per_cta];
    }
  }
  return words;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> sizes_mib = {4, 16, 2048};
  if (argc > 1) {
    sizes_mib.clear();
    for (int i = 1; i < argc; ++i) sizes_mib.push_back(std::stod(argv[i]));
  }
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  std::fprintf(stderr, "attnsim-memory-latency: %s, %d SMs, L2 %d MiB\n", prop.name, prop.multiProcessorCount,
               prop.l2CacheSize >> 20);
  std::printf("buffer_mib,level,ctas,loads_per_chain,cycles_per_load,ns_per_load,sm_mhz\n");
  std::mt19937_64 rng(20261207);
  constexpr int kHops = 4096;
  for (const double mib : sizes_mib) {
    for (const int ctas : {1, prop.multiProcessorCount}) {
      const std::uint64_t lines_total = std::uint64_t(mib * 1024 * 1024 / 128);
      const std::uint64_t lines_per_cta = std::max<std::uint64_t>(lines_total / std::uint64_t(ctas), 2);
      const std::vector<std::uint64_t> words = chains(lines_per_cta, ctas, rng);
      std::uint64_t* lines = nullptr;
      std::uint64_t* sink = nullptr;
      ChainTiming* timing = nullptr;
      check(cudaMalloc(&lines, words.size() * sizeof(std::uint64_t)), "cudaMalloc lines");
      check(cudaMalloc(&sink, sizeof(std::uint64_t) * ctas), "cudaMalloc sink");
      check(cudaMalloc(&timing, sizeof(ChainTiming) * ctas), "cudaMalloc timing");
      check(cudaMemcpy(lines, words.data(), words.size() * sizeof(std::uint64_t), cudaMemcpyHostToDevice), "copy");
      // Inside L2 (at most half of it) the warm-up walks the whole cycle; beyond it, 64 hops, so
      // the timed hops (of a cycle longer than 64 + kHops lines) reach lines the warm-up did not.
      const bool in_l2 = mib * 1024 * 1024 <= 0.5 * prop.l2CacheSize;
      const std::uint64_t warm_hops = in_l2 ? lines_per_cta : 64;
      chase<<<ctas, 32>>>(lines, lines_per_cta, warm_hops, kHops, timing, sink);
      check(cudaGetLastError(), "chase launch");
      check(cudaDeviceSynchronize(), "chase");
      std::vector<ChainTiming> t(std::size_t(ctas), ChainTiming{});
      check(cudaMemcpy(t.data(), timing, sizeof(ChainTiming) * ctas, cudaMemcpyDeviceToHost), "copy timing");
      std::sort(t.begin(), t.end(), [](const ChainTiming& a, const ChainTiming& b) { return a.cycles < b.cycles; });
      const ChainTiming median = t[t.size() / 2];
      std::printf("%g,%s,%d,%d,%.1f,%.1f,%.0f\n", mib, in_l2 ? "l2" : "hbm", ctas, kHops, double(median.cycles) / kHops,
                  double(median.nanoseconds) / kHops, double(median.cycles) / double(median.nanoseconds) * 1e3);
      check(cudaFree(lines), "cudaFree");
      check(cudaFree(sink), "cudaFree");
      check(cudaFree(timing), "cudaFree");
    }
  }
  return 0;
}

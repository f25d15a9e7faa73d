// attnsim-l2-bandwidth: read bandwidth of the memory level a buffer of a given size lives in.
// All SMs read the buffer together (grid-stride, 16-byte loads that bypass L1: __ldcg, "cache
// global", L2 only), pass after pass, so a buffer well inside L2 measures L2 hit bandwidth and one
// far beyond it measures HBM. Feeds the profile key l2_bandwidth_gb_per_s (hw_profiles/SCHEMA.md).
//   attnsim-l2-bandwidth [MiB ...]   (default: 4 8 16 32 64 256 1024)
// Output: CSV `buffer_mib,passes,bytes_read,seconds,gb_per_s`, one row per size, best of 5 runs.
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    std::fprintf(stderr, "attnsim-l2-bandwidth: %s: %s\n", what, cudaGetErrorString(status));
    std::exit(1);
  }
}

// The grid reads every 16-byte element of the buffer once per pass.
__global__ void read_buffer(const int4* __restrict__ data, long long count, int passes, int* sink) {
  int acc = 0;
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (int p = 0; p < passes; ++p) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < count; i += stride) {
      const int4 v = __ldcg(data + i);
      acc ^= v.x ^ v.y ^ v.z ^ v.w;
    }
  }
  if (acc == 0x7fffffff) *sink = acc;  // never true for zeroed data; keeps the loads alive
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> sizes_mib = {4, 8, 16, 32, 64, 256, 1024};
  if (argc > 1) {
    sizes_mib.clear();
    for (int i = 1; i < argc; ++i) sizes_mib.push_back(std::atof(argv[i]));
  }
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  std::printf("# device %s, %d SMs, L2 %d bytes\n", prop.name, prop.multiProcessorCount, prop.l2CacheSize);
  std::printf("buffer_mib,passes,bytes_read,seconds,gb_per_s\n");
  int* sink = nullptr;
  check(cudaMalloc(&sink, sizeof(int)), "cudaMalloc");
  const int threads = 512;
  const int ctas = prop.multiProcessorCount * 4;  // 2048 threads per SM resident
  for (const double mib : sizes_mib) {
    const long long bytes = (long long)(mib * 1024 * 1024);
    const long long count = bytes / (long long)sizeof(int4);
    int4* data = nullptr;
    check(cudaMalloc(&data, bytes), "cudaMalloc");
    check(cudaMemset(data, 0, bytes), "cudaMemset");
    // Keep the total near 64 GiB read per run (about 10-20 ms at L2 speed).
    const int passes = (int)std::max(1.0, 64.0 * 1024 / mib);
    cudaEvent_t begin, end;
    check(cudaEventCreate(&begin), "cudaEventCreate");
    check(cudaEventCreate(&end), "cudaEventCreate");
    read_buffer<<<ctas, threads>>>(data, count, 1, sink);  // warm: bring the buffer into L2
    check(cudaDeviceSynchronize(), "warm-up");
    double best = 1e30;
    for (int run = 0; run < 5; ++run) {
      check(cudaEventRecord(begin), "cudaEventRecord");
      read_buffer<<<ctas, threads>>>(data, count, passes, sink);
      check(cudaEventRecord(end), "cudaEventRecord");
      check(cudaEventSynchronize(end), "cudaEventSynchronize");
      float ms = 0;
      check(cudaEventElapsedTime(&ms, begin, end), "cudaEventElapsedTime");
      best = std::min(best, double(ms) * 1e-3);
    }
    const double read = double(bytes) * double(passes);
    std::printf("%g,%d,%.0f,%.6f,%.1f\n", mib, passes, read, best, read / best / 1e9);
    check(cudaFree(data), "cudaFree");
  }
  return 0;
}

// attnsim-tensor-paths: the issue rate of the instruction paths an attention kernel's inner loop
// uses, one microbenchmark each, at the clock the SMs actually hold while running it:
//   mma.sync m16n8k16 bf16 -> fp32 (FlashAttention-2's path on sm80 and later),
//   mma.sync m16n8k16 fp16 -> fp16 (the GeForce fp16-accumulate rate),
//   ex2.approx.f32 (the SFU exponential of the online softmax).
// Every SM runs `warps_per_sm` warps of register-resident, independent instruction chains (no
// memory traffic); the SM clock is measured in the same launch as clock64() cycles over
// %globaltimer nanoseconds, so ops per clock per SM and the sustained clock come from one run.
// Output: CSV on stdout (path, ops per clock per SM, sustained SM MHz, achieved rate).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    std::fprintf(stderr, "attnsim-tensor-paths: %s: %s\n", what, cudaGetErrorString(status));
    std::exit(1);
  }
}

__device__ __forceinline__ std::uint64_t global_nanoseconds() {
  std::uint64_t t;
  asm volatile("mov.u64 %0, %globaltimer;" : "=l"(t));
  return t;
}

// Chains per warp: enough independent accumulators to cover the tensor pipe's latency.
constexpr int kChains = 8;

struct Timing {
  unsigned long long cycles;
  unsigned long long nanoseconds;
};

// Thread 0 of each block records its SM's cycles and wall time over the loop; the host takes the
// median block as the sustained clock.
__device__ void record(Timing* timing, long long start_cycles, std::uint64_t start_ns) {
  __syncthreads();
  if (threadIdx.x == 0) {
    timing[blockIdx.x].cycles = static_cast<unsigned long long>(clock64() - start_cycles);
    timing[blockIdx.x].nanoseconds = global_nanoseconds() - start_ns;
  }
}

__global__ void mma_bf16_fp32(int iterations, float* sink, Timing* timing) {
  std::uint32_t a[4], b[2];
  for (int i = 0; i < 4; ++i) a[i] = 0x3f803f80u ^ (threadIdx.x * 7919u + i);  // bf16 pairs near 1.0
  for (int i = 0; i < 2; ++i) b[i] = 0x3f803f80u ^ (threadIdx.x * 104729u + i);
  float c[kChains][4] = {};
  __syncthreads();
  const long long start_cycles = clock64();
  const std::uint64_t start_ns = global_nanoseconds();
  for (int it = 0; it < iterations; ++it) {
#pragma unroll
    for (int k = 0; k < kChains; ++k) {
      asm volatile(
          "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
          "{%0,%1,%2,%3};\n"
          : "+f"(c[k][0]), "+f"(c[k][1]), "+f"(c[k][2]), "+f"(c[k][3])
          : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
    }
  }
  record(timing, start_cycles, start_ns);
  float total = 0;
  for (int k = 0; k < kChains; ++k) total += c[k][0] + c[k][1] + c[k][2] + c[k][3];
  if (total == 12345.678f) sink[threadIdx.x] = total;  // keeps the chains alive
}

__global__ void mma_fp16_fp16(int iterations, float* sink, Timing* timing) {
  std::uint32_t a[4], b[2];
  for (int i = 0; i < 4; ++i) a[i] = 0x3c003c00u ^ (threadIdx.x * 7919u + i);  // fp16 pairs near 1.0
  for (int i = 0; i < 2; ++i) b[i] = 0x3c003c00u ^ (threadIdx.x * 104729u + i);
  std::uint32_t c[kChains][2] = {};
  __syncthreads();
  const long long start_cycles = clock64();
  const std::uint64_t start_ns = global_nanoseconds();
  for (int it = 0; it < iterations; ++it) {
#pragma unroll
    for (int k = 0; k < kChains; ++k) {
      asm volatile(
          "mma.sync.aligned.m16n8k16.row.col.f16.f16.f16.f16 {%0,%1}, {%2,%3,%4,%5}, {%6,%7}, {%0,%1};\n"
          : "+r"(c[k][0]), "+r"(c[k][1])
          : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
    }
  }
  record(timing, start_cycles, start_ns);
  std::uint32_t total = 0;
  for (int k = 0; k < kChains; ++k) total ^= c[k][0] ^ c[k][1];
  if (total == 0x12345678u) sink[threadIdx.x] = float(total);
}

__global__ void ex2_fp32(int iterations, float* sink, Timing* timing) {
  float x[kChains];
  for (int k = 0; k < kChains; ++k) x[k] = -1.0f - 1e-3f * float(threadIdx.x + k);
  __syncthreads();
  const long long start_cycles = clock64();
  const std::uint64_t start_ns = global_nanoseconds();
  for (int it = 0; it < iterations; ++it) {
#pragma unroll
    for (int k = 0; k < kChains; ++k) {
      // ex2 of a negative number stays in (0, 1); subtracting 1 keeps the argument negative and the
      // chain dependent, at one FADD per exp (the FP32 pipe, not the SFU).
      asm volatile("ex2.approx.f32 %0, %0;" : "+f"(x[k]));
      x[k] -= 1.0f;
    }
  }
  record(timing, start_cycles, start_ns);
  float total = 0;
  for (int k = 0; k < kChains; ++k) total += x[k];
  if (total == 12345.678f) sink[threadIdx.x] = total;
}

struct PathResult {
  double ops_per_clock_per_sm;
  double sm_clock_mhz;
  double ops_per_second;
  double seconds;
};

// ops_per_warp_iteration: FLOPs (2*m*n*k per mma) or exponentials (32 per ex2) per warp per
// iteration of one chain.
template <typename Kernel>
PathResult run_path(Kernel kernel, int sm_count, int warps_per_sm, int iterations, double ops_per_warp_iteration) {
  const int blocks = sm_count;  // one block of warps_per_sm warps per SM (the grid is one wave)
  const int threads = 32 * warps_per_sm;
  float* sink = nullptr;
  Timing* timing = nullptr;
  check(cudaMalloc(&sink, sizeof(float) * threads), "cudaMalloc sink");
  check(cudaMalloc(&timing, sizeof(Timing) * blocks), "cudaMalloc timing");
  kernel<<<blocks, threads>>>(iterations / 10, sink, timing);  // warm-up: clocks ramp, module loads
  check(cudaGetLastError(), "warm-up launch");
  check(cudaDeviceSynchronize(), "warm-up");
  cudaEvent_t start, stop;
  check(cudaEventCreate(&start), "event");
  check(cudaEventCreate(&stop), "event");
  check(cudaEventRecord(start), "record");
  kernel<<<blocks, threads>>>(iterations, sink, timing);
  check(cudaGetLastError(), "launch");
  check(cudaEventRecord(stop), "record");
  check(cudaEventSynchronize(stop), "sync");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, start, stop), "elapsed");
  std::vector<Timing> host(blocks);
  check(cudaMemcpy(host.data(), timing, sizeof(Timing) * blocks, cudaMemcpyDeviceToHost), "copy timing");
  std::vector<double> mhz;
  for (const Timing& t : host) mhz.push_back(1e3 * double(t.cycles) / double(t.nanoseconds));
  std::nth_element(mhz.begin(), mhz.begin() + mhz.size() / 2, mhz.end());
  PathResult r;
  r.seconds = 1e-3 * ms;
  r.sm_clock_mhz = mhz[mhz.size() / 2];
  const double ops = double(blocks) * warps_per_sm * double(iterations) * kChains * ops_per_warp_iteration;
  r.ops_per_second = ops / r.seconds;
  r.ops_per_clock_per_sm = r.ops_per_second / (sm_count * r.sm_clock_mhz * 1e6);
  check(cudaFree(sink), "free");
  check(cudaFree(timing), "free");
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200000;
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  const int sms = prop.multiProcessorCount;
  constexpr double kMmaFlops = 2.0 * 16 * 8 * 16;  // m16n8k16
  constexpr double kExpPerWarpInstruction = 32.0;
  std::printf("path,warps_per_sm,iterations,seconds,sm_clock_mhz,ops_per_clock_per_sm,ops_per_second,gpu_name,sm_count\n");
  for (int warps : {4, 8, 16}) {
    const PathResult bf16 = run_path(mma_bf16_fp32, sms, warps, iterations, kMmaFlops);
    std::printf("mma.sync.m16n8k16.bf16.fp32acc,%d,%d,%.6e,%.1f,%.2f,%.6e,%s,%d\n", warps, iterations, bf16.seconds,
                bf16.sm_clock_mhz, bf16.ops_per_clock_per_sm, bf16.ops_per_second, prop.name, sms);
    const PathResult fp16 = run_path(mma_fp16_fp16, sms, warps, iterations, kMmaFlops);
    std::printf("mma.sync.m16n8k16.fp16.fp16acc,%d,%d,%.6e,%.1f,%.2f,%.6e,%s,%d\n", warps, iterations, fp16.seconds,
                fp16.sm_clock_mhz, fp16.ops_per_clock_per_sm, fp16.ops_per_second, prop.name, sms);
    const PathResult ex2 = run_path(ex2_fp32, sms, warps, iterations, kExpPerWarpInstruction);
    std::printf("ex2.approx.f32,%d,%d,%.6e,%.1f,%.2f,%.6e,%s,%d\n", warps, iterations, ex2.seconds, ex2.sm_clock_mhz,
                ex2.ops_per_clock_per_sm, ex2.ops_per_second, prop.name, sms);
  }
  return 0;
}

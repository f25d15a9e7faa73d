// A tiled attention kernel's launch shape (FlashAttention's Kernel_traits in one struct) and what
// follows from it: shared memory per CTA, threads, and CTAs resident per SM on a given GPU.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "model/gpu.h"

namespace attnsim {

struct Tiling {
  std::int64_t block_m = 128;  // query rows per CTA
  std::int64_t block_n = 64;   // key/value rows per inner step
  int warps = 4;
  int stages = 1;                  // K/V tiles buffered in shared memory
  int registers_per_thread = 255;  // as compiled; bounds CTAs per SM
};

// CUDA C++ Programming Guide, "Shared Memory" (compute capability 8.x and 9.0): the driver
// reserves 1 KB of shared memory for every resident block.
inline constexpr double kSharedMemoryReservedPerCtaBytes = 1024.0;
// Registers are allocated per warp in units of 256 (CUDA Occupancy Calculator, cc >= 5.0).
inline constexpr double kRegisterAllocationUnitPerWarp = 256.0;

inline double tiling_threads(const Tiling& t) { return 32.0 * t.warps; }

// FlashAttention-2 kernel_traits.h: kSmemQSize + kSmemKVSize, Q tile plus `stages` K and V tiles.
inline double tile_shared_memory_bytes(const Tiling& t, double head_dim, double head_dim_v, double element_bytes) {
  return element_bytes * (double(t.block_m) * head_dim + double(t.stages) * double(t.block_n) * (head_dim + head_dim_v));
}

// Resident CTAs per SM from shared memory, registers, threads and the hardware block limit;
// 0 when one CTA does not fit at all.
inline double ctas_per_sm(const Gpu& gpu, double cta_shared_memory_bytes, double threads, double registers_per_thread) {
  if (cta_shared_memory_bytes > gpu.shared_memory_per_block_bytes) return 0.0;
  const double by_smem =
      std::floor(gpu.shared_memory_per_sm_bytes / (cta_shared_memory_bytes + kSharedMemoryReservedPerCtaBytes));
  const double by_threads = std::floor(gpu.max_threads_per_sm / threads);
  const double registers_per_warp =
      std::ceil(registers_per_thread * 32.0 / kRegisterAllocationUnitPerWarp) * kRegisterAllocationUnitPerWarp;
  const double by_registers = std::floor(gpu.registers_per_sm / (registers_per_warp * threads / 32.0));
  return std::max(0.0, std::min({by_smem, by_threads, by_registers, gpu.max_ctas_per_sm}));
}

std::string tiling_label(const Tiling& t);  // "128x64, 4 warps, 1 stage"

}  // namespace attnsim

// Registers a FlashAttention-2-style forward tile asks of each thread, and what spills to local
// memory when that exceeds what a thread may hold. One estimate for the closed form (which prices
// the spill traffic) and the tile what-if (which shows it).
#pragma once

#include <cstdint>

#include "model/tiling.h"

namespace attnsim {

// PTX ISA and CUDA C++ Programming Guide (cc >= 5.0): at most 255 registers per thread.
inline constexpr double kMaxRegistersPerThread = 255.0;

struct ForwardRegisterDemand {
  // Per thread: the fp32 S = QK^T and O accumulators of the warp's query rows and the bf16 P
  // fragments fed to the PV mma. Addressing, loop state and softmax statistics are not counted:
  // the spill price was fitted with this count (model/tiled_attention.cpp).
  double accumulator_registers = 0;
  double spilled_registers = 0;  // accumulator registers above kMaxRegistersPerThread, per thread
  // Per CTA and key block: the spilled fp32 registers of every thread stored once and reloaded once.
  double spill_bytes_per_key_block = 0;
};

// mma.sync with the CTA's warps splitting the query rows (kernel_traits.h layout).
ForwardRegisterDemand forward_register_demand(const Tiling& tiling, std::int64_t head_dim_v);

}  // namespace attnsim

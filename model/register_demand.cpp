#include "model/register_demand.h"

#include <algorithm>

namespace attnsim {
namespace {

constexpr double kFp32Bytes = 4.0;
constexpr double kThreadsPerWarp = 32.0;
// A bf16 P fragment packs two elements into one 32-bit register.
constexpr double kBf16PerRegister = 2.0;

}  // namespace

ForwardRegisterDemand forward_register_demand(const Tiling& t, std::int64_t head_dim_v) {
  const double rows_per_warp = double(t.block_m) / double(t.warps);
  ForwardRegisterDemand d;
  d.accumulator_registers = rows_per_warp * (double(t.block_n) + double(head_dim_v)) / kThreadsPerWarp +
                            rows_per_warp * double(t.block_n) / (kThreadsPerWarp * kBf16PerRegister);
  d.spilled_registers = std::max(0.0, d.accumulator_registers - kMaxRegistersPerThread);
  d.spill_bytes_per_key_block = tiling_threads(t) * d.spilled_registers * 2.0 * kFp32Bytes;
  return d;
}

}  // namespace attnsim

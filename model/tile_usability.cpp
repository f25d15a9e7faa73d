// Shapes from the PTX ISA (version 8.5): "Matrix shapes" of mma (m16n8k16 for f16/bf16, m16n8k8 for
// tf32, m16n8k32 for e4m3/e5m2), of wgmma.mma_async (m64nNk16, k8, k32; N a multiple of 8 up to 256,
// one warpgroup per 64 rows) and of tcgen05.mma (cta_group::1: M 64 or 128, N a multiple of 16 up to
// 256). Every shape's k spans 32 bytes of the operand type. The fragment size is the PTX ISA's
// "Matrix Fragments for mma.m16n8k16": each thread of the warp holds 4 fp32 values of D.
#include "model/tile_usability.h"

#include <fmt/format.h>

namespace attnsim {
namespace {

constexpr std::int64_t kMmaSyncRows = 16;       // M of mma.sync m16n8kK
constexpr std::int64_t kWarpgroupRows = 64;     // M of wgmma m64nNkK, and the smallest tcgen05.mma M
constexpr std::int64_t kWgmmaMaxColumns = 256;  // largest N of wgmma and tcgen05.mma
constexpr double kMmaKBytes = 32.0;             // k x element bytes, every shape above
constexpr double kFragmentRegisters = 4.0;      // fp32 D values per thread of one m16n8 mma.sync
constexpr double kThreadsPerWarp = 32.0;

std::int64_t mma_k(Dtype dtype) { return std::int64_t(kMmaKBytes / element_bytes(dtype)); }

std::string instruction(TensorPath path, Dtype dtype) {
  const std::int64_t k = mma_k(dtype);
  switch (path) {
    case TensorPath::mma_sync:
      return fmt::format("mma.sync m16n8k{}", k);
    case TensorPath::wgmma:
      return fmt::format("wgmma m64nNk{}", k);
    case TensorPath::tcgen05:
      return fmt::format("tcgen05.mma M64/M128 k{}", k);
  }
  return "";
}

// Rows of the tile one MMA instruction (or, for warps splitting the rows, the whole CTA) covers.
std::int64_t row_quantum(const Tiling& t, TensorPath path, WarpLayout layout) {
  if (path != TensorPath::mma_sync) return kWarpgroupRows;
  return layout == WarpLayout::split_query_rows ? kMmaSyncRows * t.warps : kMmaSyncRows;
}

}  // namespace

std::string tile_unusable_reason(const Tiling& t, TensorPath path, WarpLayout layout, Dtype dtype) {
  const std::string mma = instruction(path, dtype);
  const std::int64_t rows = row_quantum(t, path, layout);
  if (t.block_m % rows != 0) {
    const std::string why = path == TensorPath::mma_sync && layout == WarpLayout::split_query_rows
                                ? fmt::format(
                                      "{} warps x the 16 rows of an {} fragment, as FlashAttention-2's "
                                      "kernel_traits.h tiles them",
                                      t.warps, mma)
                                : fmt::format("the M of {}", mma);
    return fmt::format("mma shape: block M {} is not a multiple of {} ({})", t.block_m, rows, why);
  }
  // The key block is the k dimension of the P.V product (and the n of Q.K^T, a multiple of 8).
  const std::int64_t k = mma_k(dtype);
  if (t.block_n % k != 0) {
    return fmt::format("mma shape: block N {} is not a multiple of {} (the k of the P.V {})", t.block_n, k, mma);
  }
  if (path != TensorPath::mma_sync && t.block_n > kWgmmaMaxColumns) {
    return fmt::format("mma shape: block N {} exceeds {}, the largest N of {}", t.block_n, kWgmmaMaxColumns, mma);
  }
  // fp32 S accumulators each thread holds: the tile's scores over the CTA's threads, whichever way
  // the warps share them; fewer than one fragment leaves the instruction nothing to write into.
  const double s_registers = double(t.block_m) * double(t.block_n) / (kThreadsPerWarp * double(t.warps));
  if (s_registers < kFragmentRegisters) {
    return fmt::format(
        "registers: {:.3g} fp32 accumulators of S per thread ({}x{} over {} warps), below the {} of "
        "one {} fragment",
        s_registers, t.block_m, t.block_n, t.warps, kFragmentRegisters, mma);
  }
  return {};
}

}  // namespace attnsim

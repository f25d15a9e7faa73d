#include "model/library_gemm.h"

#include <cmath>
#include <string>

#include "model/error.h"

namespace attnsim {
namespace {

// Fitted on the 29 projection GEMMs of Llama-3.2-1B's traced prefills on the H100 (M = 1024-32768,
// validate/data/h100-sxm/prefill_kernels/kernels.csv, the `aten::linear` kernels), one tile shape
// per GEMM as below; Qwen2.5-0.5B's 29 of the same trace and validate/data/*/gemm_grid/ test them.
// - the main loop of a 256 x 128 tile issues at 92% of the path's per-SM rate at the priced clock:
//   the K = 8192 and K = 2048 GEMMs of 16 waves (1365 and 356 us at M = 32768) differ by their
//   main loops alone;
// - their difference leaves 1.5 us per tile (2565 cycles at 1710 MHz) of prologue and epilogue,
//   the pipeline filling and the 64 KiB of C leaving;
// - a call lasts at least 2.5 us (Llama's one-wave 64 x 64 k and v projections at M = 1024: 6.4-6.9 us);
// - the LM head at M = 1 (525 MB of weights in 192 us) streams at 82% of HBM bandwidth.
constexpr double kMainLoopShareOfPeak = 0.92;
constexpr double kTileOverheadCycles = 2565.0;
constexpr double kKernelFloorSeconds = 2.5e-6;
constexpr double kHbmShare = 0.82;

struct Tile {
  double m, n;
};
constexpr Tile kTiles[] = {{256, 128}, {128, 256}, {128, 128}, {128, 64}, {64, 128}, {64, 64}};

}  // namespace

double library_tensor_flops_per_second(const Gpu& gpu, Dtype dtype) {
  const auto peak = gpu.tensor_peak(dtype == Dtype::fp32 ? Dtype::tf32 : dtype);
  if (!peak) throw InvalidInput("dtype", gpu.id + " has no tensor-core path for " + std::string(dtype_name(dtype)));
  return *peak;
}

GemmTime library_gemm_time(const Gpu& gpu, const GemmShape& shape, Dtype dtype) {
  return library_gemm_time(gpu, shape, dtype, element_bytes(dtype));
}

GemmTime library_gemm_time(const Gpu& gpu, const GemmShape& shape, Dtype dtype, double b_element_bytes) {
  GemmTime t;
  const double per_sm_flops_per_second = kMainLoopShareOfPeak * library_tensor_flops_per_second(gpu, dtype) / gpu.sm_count;
  const double tile_overhead_seconds = kTileOverheadCycles / gpu.priced_clock_hz();
  t.flops = 2.0 * shape.m * shape.n * shape.k;
  t.bytes = element_bytes(dtype) * shape.m * (shape.k + shape.n) + b_element_bytes * shape.k * shape.n;
  t.memory_seconds = t.bytes / (kHbmShare * gpu.hbm_bytes_per_second);
  t.compute_seconds = -1;
  for (const Tile& tile : kTiles) {
    const double tiles = std::ceil(shape.m / tile.m) * std::ceil(shape.n / tile.n);
    const double waves = std::ceil(tiles / gpu.sm_count);
    const double seconds = waves * (2.0 * tile.m * tile.n * shape.k / per_sm_flops_per_second + tile_overhead_seconds);
    if (t.compute_seconds < 0 || seconds < t.compute_seconds) {
      t.compute_seconds = seconds;
      t.tile_m = tile.m;
      t.tile_n = tile.n;
      t.waves = waves;
    }
  }
  t.seconds = kKernelFloorSeconds + std::max(t.compute_seconds, t.memory_seconds);
  return t;
}

}  // namespace attnsim

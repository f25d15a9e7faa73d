// A dense GEMM as cuBLAS runs it on the tensor cores, C (M x N) = A (M x K) B (K x N): the output
// is cut into CTA tiles that run in waves over the SMs, each tile's main loop at the tensor path's
// per-SM rate plus a fixed prologue and epilogue per tile, and the call cannot be shorter than
// reading A and B and writing C once from HBM, nor than a kernel's floor. cuBLAS picks the tile;
// attnsim takes the fastest of the tile shapes its sm80/sm90 kernels use (nvjet and CUTLASS names,
// validate/data/h100-sxm/prefill_kernels/kernels.csv), which is how small calls reach more SMs
// than the 256 x 128 tiles of large ones.
#pragma once

#include "model/dtype.h"
#include "model/gpu.h"

namespace attnsim {

struct GemmShape {
  double m = 0, n = 0, k = 0;  // doubles: M is tokens, up to 1e9 and beyond
};

struct GemmTime {
  double seconds = 0;          // floor + max(compute, memory)
  double compute_seconds = 0;  // waves x (tile main loop + tile overhead)
  double memory_seconds = 0;   // A and B read once, C written once, at the GEMM's share of HBM bandwidth
  double flops = 0;
  double bytes = 0;
  double tile_m = 0, tile_n = 0;
  double waves = 0;
};

// The dense rate cuBLAS's matmuls issue at for `dtype`: the GPU's newest tensor-core path at the
// priced clock, fp32 as TF32. Throws InvalidInput("dtype") where the GPU has no such path.
double library_tensor_flops_per_second(const Gpu& gpu, Dtype dtype);

// A and C in `dtype`; B (a layer's weight) stored at `b_element_bytes` each, less than dtype's where
// weights are quantized (the kernel dequantizes them on the way in). Throws InvalidInput("dtype")
// where the GPU has no tensor-core path for `dtype` (fp32 runs as TF32).
GemmTime library_gemm_time(const Gpu& gpu, const GemmShape& shape, Dtype dtype, double b_element_bytes);
GemmTime library_gemm_time(const Gpu& gpu, const GemmShape& shape, Dtype dtype);

}  // namespace attnsim

// PyTorch's EFFICIENT_ATTENTION backward (CUTLASS fMHA, the `fmha_cutlassB_*` kernels of
// aten/src/ATen/native/transformers/cuda/mem_eff_attention/): kernel choice, key splits, workspace
// and the per-(key block, query block) work of AttentionBackwardKernel (kernel_backward.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/cost.h"
#include "model/gpu.h"
#include "model/workload.h"

namespace attnsim {

// One instantiation of AttentionBackwardKernel<Arch, T, aligned, dropout, kPreload, kBlockSizeI,
// kBlockSizeJ, kMaxK> (kernels/generate_kernels.py, BwdKernel.get_all).
struct CutlassBackwardKernel {
  std::int64_t block_i = 64;  // kBlockSizeI: query rows per step
  std::int64_t block_j = 64;  // kBlockSizeJ: key rows a CTA owns at a time
  std::int64_t max_k = 64;    // kMaxK: the largest head dim it takes
  bool output_in_rf = true;   // kOutputInRF = half && kMaxK <= kBlockSizeI: dK, dV stay in registers
  bool preload = true;        // kPreload: the next matmul's operands are fetched during this one's epilogue
  double registers_per_thread = 0;
  double shared_memory_bytes = 0;  // 0 where no measurement gives it (occupancy then from registers)
  std::int64_t warps() const { return block_i * block_j / 1024; }  // kNumWarpsPerBlock
};

// The kernel the dispatch in attention_backward.cu launches: the first of generate_kernels.py's
// sort order (smallest kMaxK >= max(d, dv), then the larger kBlockSizeI) whose shared memory fits
// the GPU's per-block opt-in limit.
CutlassBackwardKernel cutlass_backward_kernel(const Workload& w, const Gpu& gpu);

// num_splits_key, attention_backward.cu's heuristic: ceil(Nk / kBlockSizeJ) CTAs per head, capped
// at 200 / (B * H) when dK and dV need a workspace; 1 when B * H >= 256 and Nk <= 2 * kBlockSizeJ.
std::int64_t cutlass_backward_key_splits(const Workload& w, const CutlassBackwardKernel& k);

// Params::workspace_size(): per (batch, head) the fp32 dK and dV staging tiles of every split (when
// not in registers) and the dQ accumulator tiles with their lock and counter words.
double cutlass_backward_workspace_bytes(const Workload& w, const CutlassBackwardKernel& k, std::int64_t splits);

// Adds the backward pass to `cost` (a forward cost, or an empty one for --pass backward): the
// workspace zero-fill kernel, the main kernel, compulsory bytes, io and workspace.
void add_cutlass_backward(const Workload& w, const Gpu& gpu, Cost& cost);

// The pipes of a CUTLASS fMHA kernel, forward or backward: mma.sync at 32x32 warp tiles, shared-memory
// operand loads, the global loads a CTA waits on at 0.6 of the L2 rate per SM (fitted on the
// backward) and one measured L2 round trip per trip, overlap 0.35 across co-resident CTAs. A
// profile's [efficiency.<variant_id>] table overrides them.
Efficiency cutlass_fmha_efficiency(const Gpu& gpu, std::string_view variant_id, double ctas_per_sm, std::string source);

}  // namespace attnsim

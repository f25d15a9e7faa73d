// Cost of a fused, tiled attention kernel in the FlashAttention-2 style (one CTA per query block,
// walking the key blocks its mask leaves visible; scores never reach HBM), forward and backward.
// Shared by flash2, flash3, mem-efficient and sliding-window, which differ in tiles and efficiency.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/cost.h"
#include "model/gpu.h"
#include "model/mask_geometry.h"
#include "model/workload.h"

namespace attnsim {

// FP32 CUDA-core operations per score element in the online softmax (FlashAttention-2 paper,
// Algorithm 1 lines 8-10): scale-and-subtract FMA, running-max compare, row-sum add, convert to
// the matmul dtype.
inline constexpr double kSoftmaxVectorFlopsPerScore = 4.0;
// Backward per score element: dS = P * (dP - D) (subtract, multiply) plus the scale of S.
inline constexpr double kBackwardVectorFlopsPerScore = 3.0;

struct BackwardWorkspaceRounding {
  std::int64_t query_rows_multiple = 1;
  std::int64_t head_dim_multiple_to_128 = 1;
  std::int64_t head_dim_multiple_above_128 = 1;
};

struct TiledKernelSpec {
  std::string name;
  Tiling tiling;
  Efficiency efficiency;
  bool writes_logsumexp = true;  // FlashAttention stores one fp32 logsumexp per query row
  // Set when --tile, --stages or --warps chose the tile: a tile that does not fit is then the
  // user's choice; otherwise the library's tile for this head dim is, and --head-dim is named.
  bool tile_from_knobs = false;
  // How the forward's warps share a tile: false, each owns block_m / warps query rows and loads the
  // whole K and V tile (FlashAttention-2); true, they form a grid over each matmul's output and
  // load only their rows and columns, P included (CUTLASS fMHA).
  bool warps_tile_the_output = false;
  // Shared memory a CTA of the built kernel takes, where it does not grow with the head dim as
  // FlashAttention's whole-tile buffers do (CUTLASS fMHA streams Q, K and V through fixed stages);
  // absent: tile_shared_memory_bytes' count of the tile.
  std::optional<double> shared_memory_per_cta_bytes = std::nullopt;
  // Backward: head-dim columns of the dK and dV accumulators that one pass of the main loop keeps
  // in registers (absent: all). A wider head dim takes ceil(max(d, dv) / columns) passes over a key
  // block's query blocks, each recomputing S = QK^T, P and dP = dO V^T and producing a whole
  // `columns`-wide chunk of dK, dV and dQ.
  std::optional<std::int64_t> backward_accumulator_columns = std::nullopt;
  // Backward: the head dims the kernel is built for come in steps of this (absent: every one); a
  // head dim between two runs the larger one's kernel on zero-padded tiles.
  std::optional<std::int64_t> backward_head_dim_step = std::nullopt;
  // The head dims the kernel is compiled for, ascending (empty: every one). A head dim between two
  // runs the larger one's kernel: its tiles hold that many columns, the columns past the head dim
  // loaded as zeros by predicated copies, and its matmuls multiply them (PyTorch's FlashAttention-2
  // HEADDIM_SWITCH builds 32, 64, 96, 128, 160, 192, 224 and 256, so d = 80 runs the d = 96 kernel).
  std::vector<std::int64_t> compiled_head_dims = {};
  // Backward: the shape the library allocates its fp32 workspace in. PyTorch's FlashAttention-2
  // (flash_api.cpp, mha_bwd) sizes the dQ accumulator (B, seqlen_q_rounded, H, head_size_rounded)
  // and the dO.O row sums (B, H, seqlen_q_rounded) with seqlen_q_rounded a multiple of 128 and
  // head_size_rounded a multiple of 32 up to d = 128, of 64 above; absent: the exact shape.
  std::optional<BackwardWorkspaceRounding> backward_workspace_rounding = std::nullopt;
};

// The head dim the kernel that runs `head_dim` is built for (spec.compiled_head_dims).
double compiled_head_dim(const TiledKernelSpec& spec, std::int64_t head_dim);

// HBM bytes of K and V read by a query-block-parallel kernel. Every wave of co-resident CTAs
// streams the union of the K/V rows its CTAs see; across waves, L2 keeps a head's K/V only if it
// fits. Returns {tile-level (no L2 reuse) bytes, HBM bytes}.
struct KvTraffic {
  double tile_bytes = 0;
  double hbm_bytes = 0;
};
KvTraffic kv_read_traffic(const Workload& w, const Gpu& gpu, const Tiling& tiling, double ctas_per_sm);

KernelCost tiled_forward_kernel(const Workload& w, const Gpu& gpu, const TiledKernelSpec& spec);

// Backward as FlashAttention-2 runs it: a dO.O row-sum kernel, the key-block-parallel main kernel
// (fp32 dQ accumulated with atomics), and the dQ conversion kernel.
std::vector<KernelCost> tiled_backward_kernels(const Workload& w, const Gpu& gpu, const TiledKernelSpec& spec);

// Fills model FLOPs, compulsory bytes, io and workspace for a fused variant and the requested pass.
Cost tiled_attention_cost(const Workload& w, const Gpu& gpu, const TiledKernelSpec& forward,
                          const TiledKernelSpec& backward);

// The block scheduler hands CTAs to free slots in launch order: `work` per CTA of one (batch, head),
// repeated batch_heads times, greedily list-scheduled over `slots`. Returns the makespan over the
// perfectly balanced time (>= 1), or 0 when there is no work.
double list_schedule_makespan_ratio(const std::vector<double>& work, double batch_heads, double slots);

// The mask seen from the keys: rows are keys, columns queries (backward kernels own key blocks).
MaskGeometry transposed(const MaskGeometry& m);

// Share of K/V rows some query sees (below 1 only when a window leaves early keys unseen).
double visible_key_fraction(const Workload& w);

// Useful matmul FLOPs of the forward pass: 2*(d+dv) per visible score element.
double forward_model_flops(const Workload& w);
// FlashAttention benchmark convention: backward does 2.5x the forward matmul FLOPs.
inline constexpr double kBackwardFlopsRatio = 2.5;
double pass_model_flops(const Workload& w);

}  // namespace attnsim

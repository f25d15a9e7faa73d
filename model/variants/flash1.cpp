// FlashAttention-1 (Dao et al. 2022, arXiv 2205.14135, Algorithm 1): K/V blocks in the outer loop,
// query blocks inner, O, l and m read and written back to HBM once per (key block, query block)
// tile. With Bc = ceil(M / 4d) there are ~4dN/M outer steps, so HBM traffic is Theta(N^2 d^2 / M)
// (Theorem 2). One CTA per (batch, head): few heads leave SMs idle.
#include <algorithm>
#include <cmath>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/mask_geometry.h"
#include "model/tiled_attention.h"
#include "model/variants/flash2.h"

namespace attnsim {
namespace {

// FA2 paper (arXiv 2307.08691) Sec. 1: FlashAttention's forward pass reaches 30-50% of A100 peak;
// the midpoint is used on every architecture (no other published figure).
const std::vector<ArchEfficiency> kEfficiency = {
    {"sm80", {0.40, 1.0, 1.0, "FA2 paper Sec. 1: FlashAttention forward at 30-50% of A100 peak; midpoint"}},
};

constexpr double kFp32Bytes = 4.0;

// Bc = ceil(M / 4d), Br = min(ceil(M / 4d), d), M = on-chip SRAM in elements (per-block shared
// memory). The floor is taken instead of the ceiling so that the Q, K, V and O tiles (2d(Br + Bc)
// elements) never exceed M: the paper's ceiling assumes 4d divides M.
Tiling paper_tiling(const Workload& w, const Gpu& gpu) {
  const double sram_elements = std::floor(gpu.shared_memory_per_block_bytes / element_bytes(w.dtype));
  const auto block_c = std::max<std::int64_t>(1, std::int64_t(sram_elements / (4.0 * double(w.head_dim))));
  const std::int64_t block_r = std::min(block_c, w.head_dim);
  return {block_r, block_c, 4, 1, 255};
}

Cost flash1_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  require_half_precision(w, "flash1");
  if (w.pass != Pass::forward) {
    throw InvalidInput("pass", "flash1 models Algorithm 1 (forward) only; allowed: forward");
  }
  const Tiling t = with_knobs(paper_tiling(w, gpu), knobs);  // block_m = Br (queries), block_n = Bc (keys)
  if (t.block_m < 1 || t.block_n < 1) throw InvalidInput("tile", "flash1 tiles must be at least 1x1");
  const double e = element_bytes(w.dtype);
  const double d = double(w.head_dim);
  const double dv = double(w.head_dim_v);
  const double bh = double(w.batch) * double(w.heads);

  // Outer loop over key blocks: walk the mask transposed, counting query rows loaded per key block.
  const MaskGeometry mask = mask_of(w);
  MaskGeometry keys_view{mask.seq_kv, mask.seq_q, std::nullopt, std::nullopt};
  if (mask.hi_offset) keys_view.lo_offset = -*mask.hi_offset;
  if (mask.lo_offset) keys_view.hi_offset = -*mask.lo_offset;
  const BlockCounts blocks = count_blocks(keys_view, t.block_n, t.block_m);

  // Per query row and tile: read Q_i, O_i, l_i, m_i; write O_i, l_i, m_i (Algorithm 1 lines 8, 12-13).
  const double row_read_bytes = (d + dv) * e + 2.0 * kFp32Bytes;
  const double row_write_bytes = dv * e + 2.0 * kFp32Bytes;
  const double rows = bh * blocks.kv_rows_loaded;
  // Each CTA cycles through its head's Q and O; they stay in L2 only if every resident head's fit.
  const double resident_heads = std::min(bh, gpu.sm_count);
  const double per_head_bytes = double(w.seq_q) * (row_read_bytes + row_write_bytes);
  const bool reuse_in_l2 = resident_heads * per_head_bytes <= gpu.l2_bytes;
  const double once_rows = bh * double(w.seq_q);

  KernelCost k;
  k.name = "flash1 fwd";
  k.tensor_dtype = w.dtype;
  k.efficiency = efficiency_for(gpu, "flash1", kEfficiency, TensorPath::mma_sync);
  k.ctas = bh;
  // Algorithm 1 sizes the default tiles to fill the SRAM M: one CTA per SM; smaller --tile, more.
  k.shared_memory_per_cta_bytes = e * (double(t.block_m) * (d + dv) + double(t.block_n) * (d + dv));
  k.ctas_per_sm = ctas_per_sm(gpu, k.shared_memory_per_cta_bytes, tiling_threads(t), t.registers_per_thread);
  if (k.ctas_per_sm < 1.0) {
    throw InvalidInput("tile", "flash1 tile " + tiling_label(t) + " needs " + std::to_string(long(k.shared_memory_per_cta_bytes)) +
                                   " bytes of shared memory; " + gpu.id + " allows " +
                                   std::to_string(long(gpu.shared_memory_per_block_bytes)));
  }
  const double tile_scores = double(t.block_m) * double(t.block_n);
  k.tensor_flops = bh * blocks.tiles * tile_scores * 2.0 * (d + dv);
  k.exp_ops = bh * blocks.tiles * (tile_scores + 2.0 * double(t.block_m));
  k.vector_flops = bh * blocks.tiles * (tile_scores * kSoftmaxVectorFlopsPerScore + double(t.block_m) * dv * 2.0);
  k.l2_read_bytes = k_bytes(w) + v_bytes(w) + rows * row_read_bytes;
  k.hbm_read_bytes = k_bytes(w) + v_bytes(w) + (reuse_in_l2 ? once_rows : rows) * row_read_bytes;
  k.hbm_write_bytes = (reuse_in_l2 ? once_rows : rows) * row_write_bytes;

  Cost cost;
  cost.kernels.push_back(k);
  cost.model_flops = pass_model_flops(w);
  cost.tiling = t;
  cost.compulsory_read_bytes = q_bytes(w) + k_bytes(w) + v_bytes(w);
  cost.compulsory_write_bytes = o_bytes(w) + 2.0 * bh * double(w.seq_q) * kFp32Bytes;
  cost.io_bytes = q_bytes(w) + k_bytes(w) + v_bytes(w) + o_bytes(w);
  cost.workspace_bytes = 2.0 * bh * double(w.seq_q) * kFp32Bytes;  // l and m
  return cost;
}

}  // namespace

Variant flash1_variant() {
  return {"flash1",
          "FlashAttention-1 Algorithm 1: K/V outer loop, O/l/m re-read per key block, Theta(N^2 d^2 / M) HBM bytes",
          "O(N^2)",
          {"--tile BRxBC"},
          "arXiv 2205.14135 Algorithm 1 and Theorem 2; FA2 paper Sec. 1 for utilization",
          flash1_cost};
}

}  // namespace attnsim

// Split-KV decoding (flash-decoding, FlashAttention-2's splitkv kernels): for seq_q << seq_kv the
// KV sequence is cut into splits so that enough CTAs exist to fill the GPU; each split writes a
// partial output and logsumexp in fp32, and a combine kernel reduces them. FlashAttention-2's
// mha_fwd takes this path by itself whenever its heuristic picks more than one split.
#include "model/variants/flash_decode.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "model/error.h"
#include "model/mask_geometry.h"
#include "model/rounding.h"
#include "model/tile_usability.h"
#include "model/tiled_attention.h"
#include "model/variants/flash2.h"

namespace attnsim {
namespace {

constexpr double kFp32Bytes = 4.0;
// flash_api.cpp set_params_splitkv: num_m_blocks = ceil(seqlen_q / 64); split kernel kBlockM = 64.
constexpr std::int64_t kSplitBlockM = 64;
// flash_api.cpp: "num_splits <= 128"; heuristic thresholds 0.8 (enough blocks) and 0.85 (of best).
constexpr std::int64_t kMaxSplits = 128;
constexpr double kEnoughBlocksFraction = 0.8;
constexpr double kNearBestEfficiency = 0.85;

// flash_fwd_launch_template.h run_mha_fwd_splitkv_dispatch: the combine kernel's 128 threads take
// kBlockM = 4 output rows when the head dim is a multiple of 128, 8 for a multiple of 64, else 16
// ("kBlockM as small as possible for more parallelism"); grid = ceil(rows / kBlockM). Seen in
// validate/data/h100-sxm/breakdown/kernels.csv: flash_fwd_splitkv_combine_kernel<..., 4, 5, true>
// with grid 8 for 32 rows at d = 128, <..., 8, 1, true> with grid 64 for 512 rows at d = 64.
double combine_rows_per_cta(std::int64_t head_dim) {
  return head_dim % 128 == 0 ? 4.0 : (head_dim % 64 == 0 ? 8.0 : 16.0);
}

// flash_api.cpp set_params_splitkv: block_n = 256 for d <= 64, 128 for d <= 128, else 64.
std::int64_t split_block_n(std::int64_t head_dim) { return head_dim <= 64 ? 256 : (head_dim <= 128 ? 128 : 64); }

}  // namespace

// flash_api.cpp num_splits_heuristic: the fewest eligible splits whose wave efficiency is within
// 85% of the best. Eligible: a split count that changes the number of key blocks per split.
std::int64_t flash_decode_num_splits(double batch_heads_mblocks, double num_slots, std::int64_t num_n_blocks) {
  if (batch_heads_mblocks >= kEnoughBlocksFraction * num_slots) return 1;
  const std::int64_t max_splits = std::min({kMaxSplits, static_cast<std::int64_t>(num_slots), num_n_blocks});
  auto eligible = [&](std::int64_t s) { return s == 1 || ceil_div(num_n_blocks, s) != ceil_div(num_n_blocks, s - 1); };
  std::vector<double> efficiency(static_cast<std::size_t>(std::max<std::int64_t>(max_splits, 0)), 0.0);
  double best = 0.0;
  for (std::int64_t s = 1; s <= max_splits; ++s) {
    if (!eligible(s)) continue;
    const double waves = batch_heads_mblocks * double(s) / num_slots;
    efficiency[std::size_t(s - 1)] = waves / std::ceil(waves);
    best = std::max(best, efficiency[std::size_t(s - 1)]);
  }
  for (std::int64_t s = 1; s <= max_splits; ++s) {
    if (eligible(s) && efficiency[std::size_t(s - 1)] >= kNearBestEfficiency * best) return s;
  }
  return 1;
}

SplitKvPlan plan_split_kv(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  SplitKvPlan plan;
  // GQA with one query token: the group's query heads are packed into the M dimension
  // (flash_api.cpp seqlenq_ngroups_swapped), so K/V are read once per KV head.
  plan.packed = w;
  plan.pack = w.seq_q == 1 && w.heads > w.kv_heads && !w.window;
  if (plan.pack) {
    plan.packed.seq_q = w.heads / w.kv_heads;
    plan.packed.heads = w.kv_heads;
    plan.packed.causal = false;  // one query token sees every key
  }
  plan.tiling = with_knobs(Tiling{kSplitBlockM, split_block_n(w.head_dim), 4, 1, 255}, knobs);
  const double m_blocks = double(ceil_div(plan.packed.seq_q, plan.tiling.block_m));
  const double bh = double(plan.packed.batch) * double(plan.packed.heads);
  const std::int64_t n_blocks = ceil_div(w.seq_kv, plan.tiling.block_n);
  // flash_api.cpp passes multiProcessorCount * 2: the split kernel's 128-thread CTAs, two per SM.
  const double slots = gpu.sm_count * 2.0;
  plan.splits = knobs.num_splits ? *knobs.num_splits : flash_decode_num_splits(bh * m_blocks, slots, n_blocks);
  if (plan.splits < 1 || plan.splits > kMaxSplits) throw InvalidInput("num-splits", "must be between 1 and 128");
  plan.splits = std::min(plan.splits, n_blocks);
  return plan;
}

Cost split_kv_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs, const SplitKvPlan& plan) {
  const std::string how = std::to_string(plan.splits) + " KV splits (" +
                          (knobs.num_splits ? "--num-splits" : "FlashAttention's num_splits_heuristic") + ")" +
                          (plan.pack ? "; GQA query heads packed into the M dimension" : "");
  if (plan.splits == 1) {
    // One split: run_mha_fwd launches the standard forward kernel on the (packed) problem.
    const TiledKernelSpec forward{"flash2 fwd", with_knobs(flash2_forward_tiling(plan.packed, gpu), knobs),
                                  flash2_efficiency(gpu, false), true, sets_tile(knobs)};
    Cost cost = tiled_attention_cost(plan.packed, gpu, forward, forward);
    cost.model_flops = pass_model_flops(w);
    cost.notes.push_back(how);
    return cost;
  }
  const Workload& packed = plan.packed;
  const Tiling& t = plan.tiling;
  // The split kernel issues mma.sync with its warps splitting the rows, as the standard one does.
  const std::string unusable = tile_unusable_reason(t, TensorPath::mma_sync, WarpLayout::split_query_rows, w.dtype);
  if (sets_tile(knobs) && !unusable.empty()) {
    throw InvalidInput("tile", "flash-decode split-KV tile " + tiling_label(t) + " cannot be built: " + unusable);
  }
  const std::int64_t splits = plan.splits;
  const MaskGeometry mask = mask_of(packed);
  const BlockCounts blocks = count_blocks(mask, t.block_m, t.block_n);
  const double bh = double(packed.batch) * double(packed.heads);
  const double m_blocks = blocks.query_blocks;
  const double e = element_bytes(w.dtype);
  const double d = double(w.head_dim);
  const double dv = double(w.head_dim_v);
  const double tile_scores = double(t.block_m) * double(t.block_n);
  const Efficiency eff = flash2_efficiency(gpu, false);

  KernelCost split;
  split.name = "flash-decode split-KV";
  split.tensor_dtype = w.dtype;
  split.efficiency = eff;
  split.ctas = bh * m_blocks * double(splits);
  split.shared_memory_per_cta_bytes = tile_shared_memory_bytes(t, d, dv, e);
  split.ctas_per_sm = ctas_per_sm(gpu, split.shared_memory_per_cta_bytes, tiling_threads(t), t.registers_per_thread);
  if (split.ctas_per_sm < 1.0)
    throw InvalidInput("tile", "flash-decode tile " + tiling_label(t) + " does not fit in shared memory");
  // flash_fwd_kernel.h: each split walks n_blocks_per_split = ceil(n_blocks / num_splits) key blocks.
  split.key_blocks_per_cta = ceil_div(blocks.tiles / m_blocks, double(splits));
  split.tensor_flops = bh * blocks.tiles * tile_scores * 2.0 * (d + dv);
  split.exp_ops = bh * blocks.tiles * tile_scores;
  split.vector_flops = bh * blocks.tiles * tile_scores * kSoftmaxVectorFlopsPerScore;
  const double kv_row_bytes = (d + dv) * e;
  // Unpacked query heads of one KV group re-read K/V unless a KV head's K/V stays in L2.
  const double kv_streams = plan.pack || double(w.seq_kv) * kv_row_bytes <= gpu.l2_bytes
                                ? double(w.batch) * double(w.kv_heads)
                                : double(w.batch) * double(w.heads);
  const double kv_rows = visible_key_rows(mask);
  split.l2_read_bytes = q_bytes(w) + bh * blocks.kv_rows_loaded * kv_row_bytes;
  split.hbm_read_bytes = q_bytes(w) + kv_streams * kv_rows * kv_row_bytes;
  const double rows_out = double(w.batch) * double(w.heads) * double(w.seq_q);
  const double partial_bytes = rows_out * double(splits) * (dv + 1.0) * kFp32Bytes;  // O_accum and LSE_accum
  split.hbm_write_bytes = partial_bytes;

  Cost cost;
  cost.kernels.push_back(split);
  {
    KernelCost combine;
    combine.name = "flash-decode combine";
    combine.efficiency = eff;
    combine.exp_ops = rows_out * double(splits);
    combine.vector_flops = rows_out * double(splits) * (2.0 * dv + 4.0);
    combine.hbm_read_bytes = partial_bytes;
    combine.l2_read_bytes = partial_bytes;
    combine.hbm_write_bytes = o_bytes(w) + rows_out * kFp32Bytes;
    // flash_fwd_kernel.h combine_attn_seqk_parallel: a CTA loads its rows' logsumexps of every
    // split, reduces them, then walks the splits one at a time, loading each split's partial
    // output and scaling it into one accumulator before the next: 1 + splits round trips to L2,
    // where the split kernel has just written the partials. At B = 1 (8 CTAs, 32 splits) that
    // chain, not the 0.5 MB it reads, is the kernel: 9.7 us on the H100 (kernels.csv, point 0).
    combine.ctas = std::ceil(rows_out / combine_rows_per_cta(w.head_dim));
    combine.ctas_per_sm = std::max(1.0, std::floor(gpu.max_threads_per_sm / 128.0));
    combine.dependent_l2_loads_per_cta = 1.0 + double(splits);
    cost.kernels.push_back(combine);
  }
  cost.model_flops = pass_model_flops(w);
  cost.tiling = t;
  cost.compulsory_read_bytes = q_bytes(w) + (k_bytes(w) + v_bytes(w)) * visible_key_fraction(w);
  cost.compulsory_write_bytes = o_bytes(w) + rows_out * kFp32Bytes;
  cost.io_bytes = q_bytes(w) + k_bytes(w) + v_bytes(w) + o_bytes(w);
  cost.workspace_bytes = partial_bytes + rows_out * kFp32Bytes;
  cost.notes.push_back(how);
  return cost;
}

namespace {

Cost flash_decode_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  require_half_precision(w, "flash-decode");
  require_flash_head_dim(w, "flash-decode");
  if (w.pass != Pass::forward) throw InvalidInput("pass", "flash-decode is inference only; allowed: forward");
  return split_kv_cost(w, gpu, knobs, plan_split_kv(w, gpu, knobs));
}

}  // namespace

Variant flash_decode_variant() {
  return {"flash-decode",
          "Split-KV decoding (FA2 splitkv kernels): KV cut into splits by the wave-efficiency heuristic, then combined",
          "O(N^2)",
          {"--num-splits", "--tile BMxBN"},
          "flash_api.cpp num_splits_heuristic and set_params_splitkv (Dao-AILab/flash-attention)",
          flash_decode_cost};
}

}  // namespace attnsim

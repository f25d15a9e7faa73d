#include "model/tiled_attention.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <vector>

#include "model/error.h"
#include "model/mask_geometry.h"
#include "model/register_demand.h"
#include "model/rounding.h"
#include "model/tile_usability.h"

namespace attnsim {
namespace {

constexpr double kFp32Bytes = 4.0;

double batch_heads(const Workload& w) { return double(w.batch) * double(w.heads); }

// The workload as the built kernel holds it: head dims raised to the ones it is compiled for. Its
// tiles, shared memory, registers and operand loads are sized by these; HBM moves the real ones.
Workload as_built(const Workload& w, const TiledKernelSpec& spec) {
  Workload built = w;
  built.head_dim = std::int64_t(compiled_head_dim(spec, w.head_dim));
  built.head_dim_v = std::int64_t(compiled_head_dim(spec, w.head_dim_v));
  return built;
}

double resident_ctas(const Workload& w, const Gpu& gpu, const Tiling& tiling, const std::string& name,
                     bool tile_from_knobs, std::optional<double> kernel_shared_memory_bytes = std::nullopt) {
  const double smem = kernel_shared_memory_bytes.value_or(
      tile_shared_memory_bytes(tiling, double(w.head_dim), double(w.head_dim_v), element_bytes(w.dtype)));
  const double per_sm = ctas_per_sm(gpu, smem, tiling_threads(tiling), tiling.registers_per_thread);
  if (per_sm >= 1.0) return per_sm;
  const std::string needs = name + " tile " + tiling_label(tiling) + " needs ";
  if (smem > gpu.shared_memory_per_block_bytes) {
    const std::string fit = std::to_string(long(smem)) + " bytes of shared memory per CTA at head dim " +
                            std::to_string(w.head_dim) + "; " + gpu.id + " allows " +
                            std::to_string(long(gpu.shared_memory_per_block_bytes));
    if (!tile_from_knobs) {
      throw InvalidInput("head-dim",
                         needs + fit + " (the kernel's own tile for this head dim; use a smaller --head-dim)");
    }
    throw InvalidInput("tile", needs + fit + " (use a smaller --tile or fewer --stages)");
  }
  throw InvalidInput(tile_from_knobs ? "warps" : "head-dim",
                     needs + std::to_string(long(tiling_threads(tiling))) + " threads x " +
                         std::to_string(tiling.registers_per_thread) + " registers; an SM of " + gpu.id + " has " +
                         std::to_string(long(gpu.registers_per_sm)) + " registers and " +
                         std::to_string(long(gpu.max_threads_per_sm)) + " threads" +
                         (tile_from_knobs ? " (use fewer --warps)" : ""));
}

// The library's own tiles are built kernels; a tile from --tile/--warps must be one a kernel could
// be, on the instruction path the kernel issues (model/tile_usability.h).
void require_buildable_tile(const Workload& w, const Gpu& gpu, const TiledKernelSpec& spec) {
  if (!spec.tile_from_knobs) return;
  const std::string reason = tile_unusable_reason(
      spec.tiling, spec.efficiency.tensor_path.value_or(gpu.native_tensor_path()),
      spec.warps_tile_the_output ? WarpLayout::output_grid : WarpLayout::split_query_rows, w.dtype);
  if (!reason.empty()) {
    throw InvalidInput("tile", spec.name + " tile " + tiling_label(spec.tiling) + " cannot be built: " + reason);
  }
}

// Grids of up to this many waves are list-scheduled; beyond, uneven CTAs average out over the waves.
constexpr double kMaxScheduledWaves = 8.0;

// Key blocks query block `i` walks: the band of keys its rows see (row r sees keys r + lo ... r + hi).
double query_block_tiles(const MaskGeometry& mask, const Tiling& t, std::int64_t i) {
  const std::int64_t first_row = i * t.block_m;
  const std::int64_t last_row = std::min(mask.seq_q, first_row + t.block_m) - 1;
  const std::int64_t first_key = std::max<std::int64_t>(0, mask.lo_offset ? first_row + *mask.lo_offset : 0);
  const std::int64_t last_key =
      std::min(mask.seq_kv - 1, mask.hi_offset ? last_row + *mask.hi_offset : mask.seq_kv - 1);
  if (last_key < first_key) return 0.0;
  return double(last_key / t.block_n - first_key / t.block_n + 1);
}

// The block scheduler hands CTAs to free slots in launch order (query block fastest, then batch x
// head, as FlashAttention-2's grid): a greedy list schedule. Returns its makespan over the
// perfectly balanced one (total tiles / slots), or 0 when the grid is too large to schedule.
double list_schedule_stretch(const MaskGeometry& mask, const Tiling& t, double query_blocks, double batch_heads,
                             double slots) {
  // Without a mask every CTA carries the same work and the wave count says it all.
  if (!mask.lo_offset && !mask.hi_offset) return 0.0;
  if (slots < 1.0 || query_blocks * batch_heads > kMaxScheduledWaves * slots) return 0.0;
  std::vector<double> tiles(static_cast<std::size_t>(query_blocks));
  for (std::size_t i = 0; i < tiles.size(); ++i) tiles[i] = query_block_tiles(mask, t, std::int64_t(i));
  return list_schedule_makespan_ratio(tiles, batch_heads, slots);
}

// Shared-memory operand bytes of one M x N x K warp-level matmul (mma.sync): the CTA's warps form a
// wm x wn grid over the M x N output and each loads its M/wm rows of A and N/wn columns of B,
// K deep: e * K * (M * wn + N * wm). FlashAttention-2's backward kernel traits name the grid per
// GEMM (AtomLayoutMSdP, AtomLayoutNdKV, AtomLayoutMdQ: 2 or 4 of 8 warps); it is taken here as the
// grid, warps in powers of two, that loads the fewest bytes.
double warp_grid_operand_bytes(double m, double n, double k, double warps, double e) {
  double best = 0;
  for (double wm = 1; wm <= warps; wm *= 2) {
    const double bytes = e * k * (m * (warps / wm) + n * wm);
    if (best == 0 || bytes < best) best = bytes;
  }
  return best;
}

// Rows of the streamed operand (keys for forward, queries for backward) read from HBM per head:
// one pass per wave when a head's operand does not fit in L2, else once.
double streamed_rows_from_hbm(const MaskGeometry& mask, double outer_blocks, std::int64_t outer_block_rows,
                              double slots, double operand_bytes_per_head, double l2_bytes, double tile_rows) {
  if (outer_blocks <= slots || operand_bytes_per_head <= l2_bytes) return visible_key_rows(mask);
  const auto wave_rows = static_cast<std::int64_t>(slots) * outer_block_rows;
  return std::min(tile_rows, count_blocks(mask, wave_rows, 1).kv_rows_loaded);
}

}  // namespace

double list_schedule_makespan_ratio(const std::vector<double>& work, double batch_heads, double slots) {
  double total = 0;
  for (double x : work) total += x * batch_heads;
  if (total <= 0 || slots < 1.0) return 0.0;
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  for (std::int64_t s = 0; s < std::int64_t(slots); ++s) free_at.push(0.0);
  double makespan = 0;
  for (std::int64_t h = 0; h < std::int64_t(batch_heads); ++h) {
    for (double x : work) {
      const double start = free_at.top();
      free_at.pop();
      free_at.push(start + x);
      makespan = std::max(makespan, start + x);
    }
  }
  return makespan * std::floor(slots) / total;
}

MaskGeometry transposed(const MaskGeometry& m) {
  MaskGeometry t{m.seq_kv, m.seq_q, std::nullopt, std::nullopt};
  if (m.hi_offset) t.lo_offset = -*m.hi_offset;
  if (m.lo_offset) t.hi_offset = -*m.lo_offset;
  return t;
}

std::string tiling_label(const Tiling& t) {
  return std::to_string(t.block_m) + "x" + std::to_string(t.block_n) + ", " + std::to_string(t.warps) + " warps, " +
         std::to_string(t.stages) + (t.stages == 1 ? " stage" : " stages");
}

double visible_key_fraction(const Workload& w) { return visible_key_rows(mask_of(w)) / double(w.seq_kv); }

double forward_model_flops(const Workload& w) {
  return 2.0 * double(w.head_dim + w.head_dim_v) * visible_elements(mask_of(w)) * batch_heads(w);
}

double pass_model_flops(const Workload& w) {
  const double forward = forward_model_flops(w);
  switch (w.pass) {
    case Pass::forward:
      return forward;
    case Pass::backward:
      return kBackwardFlopsRatio * forward;
    case Pass::forward_backward:
      return (1.0 + kBackwardFlopsRatio) * forward;
  }
  return forward;
}

KvTraffic kv_read_traffic(const Workload& w, const Gpu& gpu, const Tiling& tiling, double per_sm) {
  const MaskGeometry mask = mask_of(w);
  const BlockCounts blocks = count_blocks(mask, tiling.block_m, tiling.block_n);
  const double kv_row_bytes = double(w.head_dim + w.head_dim_v) * element_bytes(w.dtype);
  const double group = double(w.heads / w.kv_heads);
  const double slots = gpu.sm_count * per_sm;
  KvTraffic traffic;
  traffic.tile_bytes = batch_heads(w) * blocks.kv_rows_loaded * kv_row_bytes;
  // Query heads of one KV group are adjacent in the grid: when a whole head fits in a wave they
  // share one stream of K/V; otherwise each query head streams it again.
  const bool heads_share_kv = blocks.query_blocks * group <= slots || double(w.seq_kv) * kv_row_bytes <= gpu.l2_bytes;
  const double rows_per_head =
      streamed_rows_from_hbm(mask, blocks.query_blocks, tiling.block_m, slots, double(w.seq_kv) * kv_row_bytes,
                             gpu.l2_bytes, blocks.kv_rows_loaded);
  const double streams = double(w.batch) * (heads_share_kv ? double(w.kv_heads) : double(w.heads));
  traffic.hbm_bytes = streams * rows_per_head * kv_row_bytes;
  return traffic;
}

KernelCost tiled_forward_kernel(const Workload& w, const Gpu& gpu, const TiledKernelSpec& spec) {
  const Tiling& t = spec.tiling;
  const MaskGeometry mask = mask_of(w);
  const BlockCounts blocks = count_blocks(mask, t.block_m, t.block_n);
  const double bh = batch_heads(w);
  const double tile_scores = double(t.block_m) * double(t.block_n);
  const double e = element_bytes(w.dtype);

  const Workload built = as_built(w, spec);
  require_buildable_tile(built, gpu, spec);
  KernelCost k;
  k.name = spec.name;
  k.tensor_dtype = w.dtype;
  k.efficiency = spec.efficiency;
  k.ctas_per_sm = resident_ctas(built, gpu, t, spec.name, spec.tile_from_knobs, spec.shared_memory_per_cta_bytes);
  k.ctas = bh * blocks.query_blocks;
  k.key_blocks_per_cta = blocks.active_query_blocks > 0 ? blocks.tiles / blocks.active_query_blocks : 0.0;
  // Tiles, operand loads and matmuls run at the head dims the kernel is built for; HBM moves the
  // real ones (the padding columns are predicated off, not read).
  const double d = double(built.head_dim), dv = double(built.head_dim_v);
  k.shared_memory_per_cta_bytes = spec.shared_memory_per_cta_bytes.value_or(tile_shared_memory_bytes(t, d, dv, e));
  k.tensor_flops = bh * blocks.tiles * tile_scores * 2.0 * (d + dv);
  // One exp per score, plus one per row per key block to rescale the running sum and output.
  k.exp_ops = bh * blocks.tiles * (tile_scores + double(t.block_m));
  k.vector_flops =
      bh * blocks.tiles * (tile_scores * kSoftmaxVectorFlopsPerScore + double(t.block_m) * double(w.head_dim_v));

  // mma.sync with warps splitting the query rows: every warp loads the whole K and V tile of each
  // key block from shared memory into registers (ldmatrix), so these bytes scale as 1 / (rows per warp).
  const double bm = double(t.block_m), bn = double(t.block_n);
  const double operand_bytes_per_tile = spec.warps_tile_the_output
                                            ? warp_grid_operand_bytes(bm, bn, d, double(t.warps), e) +
                                                  warp_grid_operand_bytes(bm, dv, bn, double(t.warps), e)
                                            : double(t.warps) * bn * (d + dv) * e;
  k.shared_memory_read_bytes = bh * blocks.tiles * operand_bytes_per_tile;
  // Accumulator registers beyond the 255-register limit spill to local memory, stored and reloaded
  // once per key block (the ncu runs in validate/data/h100-sxm/ncu show it: 128x128 at d = 128
  // writes 4x O's bytes to DRAM).
  k.register_spill_bytes = bh * blocks.tiles * forward_register_demand(t, built.head_dim_v).spill_bytes_per_key_block;
  k.schedule_stretch = list_schedule_stretch(mask, t, blocks.query_blocks, bh, gpu.sm_count * k.ctas_per_sm);
  const KvTraffic kv = kv_read_traffic(w, gpu, t, k.ctas_per_sm);
  k.l2_read_bytes = q_bytes(w) + kv.tile_bytes;
  k.hbm_read_bytes = q_bytes(w) + kv.hbm_bytes;
  k.hbm_write_bytes = o_bytes(w) + (spec.writes_logsumexp ? bh * double(w.seq_q) * kFp32Bytes : 0.0);
  return k;
}

std::vector<KernelCost> tiled_backward_kernels(const Workload& w, const Gpu& gpu, const TiledKernelSpec& spec) {
  const Tiling& t = spec.tiling;
  const double bh = batch_heads(w);
  const double e = element_bytes(w.dtype);
  const double rows_q = bh * double(w.seq_q);
  std::vector<KernelCost> kernels;

  KernelCost dot;  // D = rowsum(dO * O), and dQaccum zeroed
  dot.name = spec.name + " bwd dot(dO,O)";
  dot.vector_flops = 2.0 * rows_q * double(w.head_dim_v);
  dot.hbm_read_bytes = 2.0 * o_bytes(w);
  dot.hbm_write_bytes = rows_q * kFp32Bytes * (1.0 + double(w.head_dim));
  dot.efficiency = spec.efficiency;
  kernels.push_back(dot);

  // Main kernel: CTAs own key blocks, so the mask is walked transposed (rows = keys).
  const MaskGeometry keys_view = transposed(mask_of(w));
  const BlockCounts blocks = count_blocks(keys_view, t.block_n, t.block_m);
  const double tile_scores = double(t.block_m) * double(t.block_n);
  const double d = double(w.head_dim);
  const double dv = double(w.head_dim_v);
  const Workload built = as_built(w, spec);
  const double built_d = double(built.head_dim), built_dv = double(built.head_dim_v);
  require_buildable_tile(built, gpu, spec);
  KernelCost main;
  main.name = spec.name + " bwd";
  main.tensor_dtype = w.dtype;
  main.efficiency = spec.efficiency;
  Tiling key_major = t;
  std::swap(key_major.block_m, key_major.block_n);
  main.ctas_per_sm = resident_ctas(built, gpu, key_major, spec.name + " backward", spec.tile_from_knobs);
  main.ctas = bh * blocks.query_blocks;
  main.shared_memory_per_cta_bytes = tile_shared_memory_bytes(key_major, built_d, built_dv, e);
  const double step = double(spec.backward_head_dim_step.value_or(1));
  const double kernel_d = std::ceil(built_d / step) * step;
  const double kernel_dv = std::ceil(built_dv / step) * step;
  const double columns = double(spec.backward_accumulator_columns.value_or(0));
  const double passes = columns > 0 ? std::ceil(std::max(kernel_d, kernel_dv) / columns) : 1.0;
  // The output matmuls' width: a single pass's head dim, or whole chunks of `columns` per pass.
  const auto output_width = [&](double width) { return passes > 1 ? passes * columns : width; };
  // S = QK^T, dP = dO V^T (and P, dS) once per pass; dV += P^T dO, dQ += dS K, dK += dS^T Q over the
  // passes' output chunks.
  main.tensor_flops = bh * blocks.tiles * tile_scores * 2.0 *
                      (passes * (kernel_d + kernel_dv) + 2.0 * output_width(kernel_d) + output_width(kernel_dv));
  main.exp_ops = bh * blocks.tiles * tile_scores * passes;
  main.vector_flops = bh * blocks.tiles * tile_scores * kBackwardVectorFlopsPerScore * passes;
  // All five matmuls take both operands from shared memory (P and dS are written there too).
  const double bm = double(t.block_m), bn = double(t.block_n), warps = double(t.warps);
  const double operand_bytes_per_tile = passes * (warp_grid_operand_bytes(bm, bn, built_d, warps, e) +
                                                  warp_grid_operand_bytes(bm, bn, built_dv, warps, e)) +  // S, dP
                                        warp_grid_operand_bytes(bn, built_dv, bm, warps, e) +
                                        warp_grid_operand_bytes(bn, built_d, bm, warps, e) +  // dV, dK
                                        warp_grid_operand_bytes(bm, built_d, bn, warps, e);   // dQ
  main.shared_memory_read_bytes = bh * blocks.tiles * operand_bytes_per_tile;
  // Per query row streamed: Q, dO, logsumexp and D read; the fp32 dQaccum row read and written.
  const double q_row_read_bytes = (d + dv) * e + 2.0 * kFp32Bytes + d * kFp32Bytes;
  const double q_row_write_bytes = d * kFp32Bytes;
  const double slots = gpu.sm_count * main.ctas_per_sm;
  main.schedule_stretch = list_schedule_stretch(keys_view, key_major, blocks.query_blocks, bh, slots);
  const double q_rows_hbm = streamed_rows_from_hbm(keys_view, blocks.query_blocks, t.block_n, slots,
                                                   double(w.seq_q) * (q_row_read_bytes + q_row_write_bytes),
                                                   gpu.l2_bytes, blocks.kv_rows_loaded);
  const double kv_read_bytes = double(w.batch) * double(w.kv_heads) * double(w.seq_kv) * (d + dv) * e;
  main.l2_read_bytes = passes * bh * blocks.kv_rows_loaded * q_row_read_bytes + bh * double(w.seq_kv) * (d + dv) * e;
  main.hbm_read_bytes = bh * q_rows_hbm * q_row_read_bytes + kv_read_bytes;
  main.hbm_write_bytes = bh * q_rows_hbm * q_row_write_bytes + bh * double(w.seq_kv) * (d + dv) * e;
  kernels.push_back(main);

  KernelCost convert;  // dQaccum (fp32) -> dQ
  convert.name = spec.name + " bwd convert dQ";
  convert.vector_flops = rows_q * d;
  convert.hbm_read_bytes = rows_q * d * kFp32Bytes;
  convert.hbm_write_bytes = q_bytes(w);
  convert.efficiency = spec.efficiency;
  kernels.push_back(convert);

  if (w.kv_heads != w.heads) {  // dK, dV computed per query head, then summed over the group
    KernelCost reduce;
    reduce.name = spec.name + " bwd sum dK,dV over GQA group";
    reduce.vector_flops = bh * double(w.seq_kv) * (d + dv);
    reduce.hbm_read_bytes = bh * double(w.seq_kv) * (d + dv) * e;
    reduce.hbm_write_bytes = k_bytes(w) + v_bytes(w);
    reduce.efficiency = spec.efficiency;
    kernels.push_back(reduce);
  }
  return kernels;
}

Cost tiled_attention_cost(const Workload& w, const Gpu& gpu, const TiledKernelSpec& forward,
                          const TiledKernelSpec& backward) {
  Cost cost;
  cost.model_flops = pass_model_flops(w);
  cost.tiling = forward.tiling;
  const double bh = batch_heads(w);
  const double logsumexp_bytes = bh * double(w.seq_q) * kFp32Bytes;
  const double qkvo = q_bytes(w) + k_bytes(w) + v_bytes(w) + o_bytes(w);
  const bool runs_forward = w.pass != Pass::backward;
  const bool runs_backward = w.pass != Pass::forward;
  if (runs_forward) {
    cost.kernels.push_back(tiled_forward_kernel(w, gpu, forward));
    cost.compulsory_read_bytes += q_bytes(w) + (k_bytes(w) + v_bytes(w)) * visible_key_fraction(w);
    cost.compulsory_write_bytes += o_bytes(w) + (forward.writes_logsumexp ? logsumexp_bytes : 0.0);
    cost.workspace_bytes = forward.writes_logsumexp ? logsumexp_bytes : 0.0;
  }
  cost.io_bytes = qkvo;
  if (runs_backward) {
    for (KernelCost& k : tiled_backward_kernels(w, gpu, backward)) cost.kernels.push_back(std::move(k));
    // Reads Q, K, V, O, dO, logsumexp; writes dQ, dK, dV.
    cost.compulsory_read_bytes += qkvo + o_bytes(w) + logsumexp_bytes;
    cost.compulsory_write_bytes += q_bytes(w) + k_bytes(w) + v_bytes(w);
    cost.io_bytes = 2.0 * qkvo;  // plus dO, dQ, dK, dV
    const BackwardWorkspaceRounding rounding = backward.backward_workspace_rounding.value_or(BackwardWorkspaceRounding{});
    const double accumulated_rows = align_up(double(w.seq_q), double(rounding.query_rows_multiple));
    const double accumulated_head_dim =
        align_up(double(w.head_dim), double(w.head_dim <= 128 ? rounding.head_dim_multiple_to_128
                                                                : rounding.head_dim_multiple_above_128));
    const double dq_accum_bytes = bh * accumulated_rows * accumulated_head_dim * kFp32Bytes;
    const double row_sums_bytes = bh * accumulated_rows * kFp32Bytes;  // D = rowsum(dO * O)
    const double gqa_expanded_dkv =
        w.kv_heads == w.heads ? 0.0
                              : bh * double(w.seq_kv) * double(w.head_dim + w.head_dim_v) * element_bytes(w.dtype);
    cost.workspace_bytes = logsumexp_bytes + row_sums_bytes + dq_accum_bytes + gqa_expanded_dkv;
  }
  return cost;
}

double compiled_head_dim(const TiledKernelSpec& spec, std::int64_t head_dim) {
  for (const std::int64_t built : spec.compiled_head_dims) {
    if (head_dim <= built) return double(built);
  }
  return double(head_dim);
}

}  // namespace attnsim

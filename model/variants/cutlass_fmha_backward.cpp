// PyTorch's EFFICIENT_ATTENTION backward from its own kernels (CUTLASS fMHA, kernel_backward.h in
// aten/src/ATen/native/transformers/cuda/mem_eff_attention/): one CTA per (key split, head, batch)
// owns key blocks and walks every query block they see, phase after phase with __syncthreads.
#include "model/variants/cutlass_fmha_backward.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/mask_geometry.h"
#include "model/rounding.h"
#include "model/tiled_attention.h"
#include "model/tiling.h"

namespace attnsim {
namespace {

constexpr double kFp32Bytes = 4.0;

// kernel_backward.h, getWarpsPerSmBw: 12 warps per SM for 16-bit inputs on sm80+; the launch
// bounds ask for kMinBlocksPerSm = 12 / kNumWarpsPerBlock CTAs, so ptxas caps the registers.
constexpr double kWarpsPerSmAskedByLaunchBounds = 12.0;
// Registers and shared memory ptxas gave the two kernels PyTorch 2.11 launched on an H100 at
// B = 1, H = 32, N = 4096 (validate/data/h100-sxm/breakdown/kernels.csv, Nsight Systems):
// fmha_cutlassB_bf16_aligned_128x128_k128_seqaligned_sm80: 128 registers, 133632 B;
// fmha_cutlassB_bf16_aligned_128x64_k65536_sm80: 151 registers, 60928 B.
constexpr double kRegisters128x128 = 128.0;
constexpr double kSharedMemory128x128Bytes = 133632.0;
constexpr double kRegisters128x64 = 151.0;
constexpr double kSharedMemory128x64Bytes = 60928.0;
// attention_backward.cu: with dK/dV staged in a workspace the splits are capped at 200 / (B * H).
constexpr double kSplitBudgetWithStagedDkDv = 200.0;
// ... and a grid of B * H >= 256 CTAs with at most two key blocks runs unsplit.
constexpr double kEnoughParallelism = 256.0;
// Overlap of the pipes across co-resident CTAs: FlashAttention-2's forward figure
// (model/variants/flash2.cpp, kOverlap), for the 64x64 kernels that run 3 CTAs per SM; a kernel
// alone on its SM overlaps nothing (its warps meet at a __syncthreads after every phase).
constexpr double kOverlapAcrossCtas = 0.35;
// The global loads a CTA waits on between its matmuls (accumulator tiles read back before the
// MMAs that add to them, operand tiles fetched at the start of a matmul that is not preloaded) run
// at this share of the L2 rate per SM, fitted on the H200 training split
// (validate/data/h200/mechanisms/training.csv, sdpa-efficient backward, N = 512, 2048, 8192, 32768,
// d = 64, 128, 256, causal and not: 25 runs) together with a round-trip price: over a grid of
// 0.5-0.7 x 400-800 clocks, training MAPE 10.3-17.0%, flat at 10.3-11.0% along (0.6, 400-600). The
// round trips waited one after another are now priced at the measured L2 round trip (414 clocks on
// the H100, validate/data/h100-sxm/latency/), inside that flat valley; 0.6 stays the one fitted
// constant.
constexpr double kL2WaitRate = 0.6;
// kKernelComputesDelta: before its key blocks every CTA computes D = rowsum(dO * O) for every query
// row of its head (computeDelta, once per kBlockSizeI rows, whatever the mask). A kernel built for
// kMaxK > 256 bounds that loop at run time by align_up(dv, kElementsPerAccess * threads per row)
// iterations instead of dv / (kElementsPerAccess * threads per row): 256 at d = 256, of which the
// last 240 load nothing, each storing its two 16-byte fragments to a local array and reloading them
// (kernel_backward.h, computeDelta). On an H100 (validate/data/h100-sxm/backward_counters/ and
// cutlass_counters/, the generic 128x64 kernel at d = 256, N = 512-4096, causal and not) the local
// loads are exactly 192 CTAs x N/128 x 256 threads x 256 iterations x 32 bytes, and the time the
// model lacked before this loop was priced grows as N whatever the mask: 53 us per CTA per 128
// rows, 374 clocks per iteration at 1806.8 MHz (fitted on those eight calls; nothing else is).
constexpr double kDeltaLoopIterationClocks = 374.0;
constexpr double kDeltaElementsPerAccess = 8.0;  // 128-bit loads of 16-bit elements
constexpr std::int64_t kDeltaLoopUnrolledMaxK = 256;
// GemmType::ThreadK of the sm80 tensor-op kernels: every matmul walks its K dimension in steps of
// 32, the last one zero-filled by predicated loads.
constexpr double kThreadblockK = 32.0;
// Grids of up to this many waves are list-scheduled (as model/tiled_attention.cpp); beyond, uneven
// CTAs average out over the waves.
constexpr double kMaxScheduledWaves = 8.0;
// Up to this many key or query blocks are walked one by one; beyond, a closed form stands in.
constexpr std::int64_t kMaxWalkedBlocks = std::int64_t{1} << 20;

// Registers when no measurement gives them: the launch bounds' cap, in 8-register steps.
double launch_bounds_registers(std::int64_t warps) {
  const double min_blocks = std::max(1.0, std::floor(kWarpsPerSmAskedByLaunchBounds / double(warps)));
  const double cap = std::floor(65536.0 / (min_blocks * 32.0 * double(warps)) / 8.0) * 8.0;
  return std::min(255.0, cap);
}

CutlassBackwardKernel make_kernel(std::int64_t block_i, std::int64_t max_k, bool sm8x_k96) {
  CutlassBackwardKernel k;
  k.block_i = block_i;
  k.max_k = max_k;
  k.output_in_rf = max_k <= block_i;
  k.preload = k.output_in_rf;  // generate_kernels.py: preload_mmas = is_half and sm >= 80 and output_in_rf
  k.block_j = (k.preload && max_k > 64 && !sm8x_k96) ? 128 : 64;
  k.registers_per_thread = launch_bounds_registers(k.warps());
  if (block_i == 128 && k.block_j == 128) {
    k.registers_per_thread = kRegisters128x128;
    k.shared_memory_bytes = kSharedMemory128x128Bytes;
  } else if (block_i == 128 && !k.output_in_rf) {
    k.registers_per_thread = kRegisters128x64;
    k.shared_memory_bytes = kSharedMemory128x64Bytes;
  }
  return k;
}

// Query blocks key block j's CTA walks: those that see at least one of its keys.
double key_block_query_blocks(const MaskGeometry& m, const CutlassBackwardKernel& k, std::int64_t j) {
  const std::int64_t first_key = j * k.block_j;
  const std::int64_t last_key = std::min(m.seq_kv, first_key + k.block_j) - 1;
  const std::int64_t first_row = std::max<std::int64_t>(0, m.hi_offset ? first_key - *m.hi_offset : 0);
  const std::int64_t last_row = std::min(m.seq_q - 1, m.lo_offset ? last_key - *m.lo_offset : m.seq_q - 1);
  if (last_row < first_row) return 0.0;
  return double(last_row / k.block_i - first_row / k.block_i + 1);
}

// Grid (num_splits_key, H, B), split fastest; split s owns key blocks s, s + S, s + 2S, ...
// Returns the list schedule's makespan over the balanced time, 0 when not run.
double split_schedule_stretch(const MaskGeometry& m, const CutlassBackwardKernel& k, std::int64_t splits,
                              double batch_heads, double slots) {
  const std::int64_t key_blocks = (m.seq_kv + k.block_j - 1) / k.block_j;
  const double ctas = double(splits) * batch_heads;
  if (slots < 1.0 || ctas > kMaxScheduledWaves * slots || key_blocks > kMaxWalkedBlocks) return 0.0;
  std::vector<double> work(static_cast<std::size_t>(splits), 0.0);
  for (std::int64_t j = 0; j < key_blocks; ++j) work[std::size_t(j % splits)] += key_block_query_blocks(m, k, j);
  return list_schedule_makespan_ratio(work, batch_heads, slots);
}

// Key blocks that visit query block i: those holding a key its rows see, [r0 + lo, r1 + hi] clipped
// (MaskGeometry), as many as the dQ tile's lock is taken.
double query_block_visits(const MaskGeometry& m, const CutlassBackwardKernel& k, std::int64_t i) {
  const std::int64_t first_row = i * k.block_i;
  const std::int64_t last_row = std::min(m.seq_q, first_row + k.block_i) - 1;
  const std::int64_t first_key = std::max<std::int64_t>(0, m.lo_offset ? first_row + *m.lo_offset : 0);
  const std::int64_t last_key = std::min(m.seq_kv - 1, m.hi_offset ? last_row + *m.hi_offset : m.seq_kv - 1);
  if (last_key < first_key) return 0.0;
  return double(last_key / k.block_j - first_key / k.block_j + 1);
}

// The most visited query block's visits. Its visible key range is widest where neither end is
// clipped, so beyond kMaxWalkedBlocks query blocks the first, middle and last stand for all (a band
// mask's interior blocks differ by at most one key block's alignment).
double most_visits_of_a_query_block(const MaskGeometry& m, const CutlassBackwardKernel& k) {
  const std::int64_t query_blocks = (m.seq_q + k.block_i - 1) / k.block_i;
  double most = 0.0;
  if (query_blocks <= kMaxWalkedBlocks) {
    for (std::int64_t i = 0; i < query_blocks; ++i) most = std::max(most, query_block_visits(m, k, i));
    return most;
  }
  for (const std::int64_t i : {std::int64_t{0}, query_blocks / 2, query_blocks / 2 + 1, query_blocks - 1}) {
    most = std::max(most, query_block_visits(m, k, i));
  }
  return most;
}

}  // namespace

CutlassBackwardKernel cutlass_backward_kernel(const Workload& w, const Gpu& gpu) {
  const std::int64_t k = std::max(w.head_dim, w.head_dim_v);
  const bool sm8x = gpu.compute_capability_major == 8 && gpu.compute_capability_minor > 0;
  // generate_kernels.py, sm80 range (used from cc 8.0 up): kMaxK in {32, 64, 128, 65536}, and on
  // cc 8.6/8.9 a 128x64 kMaxK = 96 kernel; block_i 128 (when kMaxK > 64) before 64.
  struct Candidate {
    std::int64_t block_i;
    std::int64_t max_k;
    bool sm8x_only;
  };
  const Candidate candidates[] = {{64, 32, false},  {64, 64, false},     {128, 96, true},   {128, 128, false},
                                  {64, 128, false}, {128, 65536, false}, {64, 65536, false}};
  for (const Candidate& c : candidates) {
    if (c.max_k < k || (c.sm8x_only && !sm8x)) continue;
    const CutlassBackwardKernel kernel = make_kernel(c.block_i, c.max_k, c.sm8x_only);
    // attention_backward.cu: "Uses too much shmem" -> the next kernel in the list.
    if (kernel.shared_memory_bytes > gpu.shared_memory_per_block_bytes) continue;
    return kernel;
  }
  return make_kernel(64, 65536, false);
}

std::int64_t cutlass_backward_key_splits(const Workload& w, const CutlassBackwardKernel& k) {
  const double bh = double(w.batch) * double(w.heads);
  double splits = ceil_div(double(w.seq_kv), double(k.block_j));
  if (bh >= kEnoughParallelism && double(w.seq_kv) <= 2.0 * double(k.block_j)) splits = 1;
  if (!k.output_in_rf) splits = std::min(splits, std::floor(kSplitBudgetWithStagedDkDv / bh));
  return std::int64_t(std::max(1.0, splits));
}

double cutlass_backward_workspace_bytes(const Workload& w, const CutlassBackwardKernel& k, std::int64_t splits) {
  const double s = double(splits), bi = double(k.block_i), bj = double(k.block_j);
  const double dk = k.output_in_rf ? 0.0 : s * bj * align_up(double(w.head_dim), bi);
  const double dv = k.output_in_rf ? 0.0 : s * bj * align_up(double(w.head_dim_v), bi);
  // GradQTempStorage: lock, counter, two pad words, then kBlockSizeI x kBlockSizeJ fp32.
  const double dq = ceil_div(double(w.seq_q), bi) * ceil_div(double(w.head_dim), bj) * (4.0 + bi * bj);
  return double(w.batch) * double(w.heads) * align_up(dk + dv + dq, 4.0) * kFp32Bytes;
}

Efficiency cutlass_fmha_efficiency(const Gpu& gpu, std::string_view variant_id, double ctas_per_sm,
                                   std::string source) {
  Efficiency e;
  e.tensor = 1.0;
  e.vector = 1.0;
  e.softmax_overlap = ctas_per_sm > 1.0 ? kOverlapAcrossCtas : 0.0;
  e.operand_fetch_serial = 1.0;
  e.overlap_across_ctas = true;
  e.l2_wait_rate = kL2WaitRate;
  e.tensor_path = TensorPath::mma_sync;
  e.source = std::move(source);
  const std::vector<ArchEfficiency> table = {{"sm80", e}};
  Efficiency out = efficiency_for(gpu, variant_id, table, TensorPath::mma_sync);
  out.overlap_across_ctas = true;
  return out;
}

void add_cutlass_backward(const Workload& w, const Gpu& gpu, Cost& cost) {
  const CutlassBackwardKernel kernel = cutlass_backward_kernel(w, gpu);
  const std::int64_t splits = cutlass_backward_key_splits(w, kernel);
  const double workspace = cutlass_backward_workspace_bytes(w, kernel, splits);
  const double bh = double(w.batch) * double(w.heads);
  const double e = element_bytes(w.dtype);
  const double d = double(w.head_dim), dv = double(w.head_dim_v);
  const double bi = double(kernel.block_i), bj = double(kernel.block_j);
  // Each matmul runs whole threadblock tiles (kernel_backward.h: MatmulQK and MatmulDOIVJ walk the
  // head dim in ThreadK steps; MatmulGradV and MatmulGradK produce kBlockSizeI columns of dV and dK
  // per pass, MatmulGradQ kBlockSizeJ of dQ): the columns past the head dim load zeros and their
  // warps multiply them, so d = 80 on the kMaxK = 128 kernel does the work of 96 and 128.
  const double qk_depth = align_up(d, kThreadblockK), dov_depth = align_up(dv, kThreadblockK);
  const double dv_columns = align_up(dv, bi), dq_columns = align_up(d, bj), dk_columns = align_up(d, bi);
  const double delta_bytes = bh * double(w.seq_q) * kFp32Bytes;

  // should_zero_workspace(): more than one split -> workspace.zero_() (a FillFunctor kernel).
  if (splits > 1) {
    KernelCost zero;
    zero.name = "mem-efficient bwd zero workspace";
    zero.hbm_write_bytes = workspace;
    zero.efficiency.source = "memset of the workspace (attention_backward.cu, should_zero_workspace)";
    cost.kernels.push_back(zero);
  }

  const MaskGeometry keys_view = transposed(mask_of(w));
  const BlockCounts blocks = count_blocks(keys_view, kernel.block_j, kernel.block_i);
  const double tiles = bh * blocks.tiles;
  const double tile_scores = bi * bj;

  KernelCost main;
  main.name = "mem-efficient bwd";
  main.tensor_dtype = w.dtype;
  main.ctas = double(splits) * bh;
  const double threads = 32.0 * double(kernel.warps());
  main.ctas_per_sm = ctas_per_sm(gpu, kernel.shared_memory_bytes, threads, kernel.registers_per_thread);
  if (main.ctas_per_sm < 1.0) {
    throw InvalidInput("head-dim", "mem-efficient backward kernel " + std::to_string(kernel.block_i) + "x" +
                                       std::to_string(kernel.block_j) + " does not fit an SM of " + gpu.id);
  }
  main.shared_memory_per_cta_bytes = kernel.shared_memory_bytes;
  if (kernel.max_k > kDeltaLoopUnrolledMaxK) {
    const double step = kDeltaElementsPerAccess * threads / bi;  // elements of a row per iteration
    main.serial_loop_clocks_per_cta = ceil_div(double(w.seq_q), bi) * align_up(dv, step) * kDeltaLoopIterationClocks;
  }
  main.efficiency = cutlass_fmha_efficiency(
      gpu, "mem-efficient-backward", main.ctas_per_sm,
      "CUTLASS fMHA backward (kernel_backward.h): mma.sync at 32x32 warp tiles, shared-memory operand loads, "
      "global loads waited on at 0.6 of the L2 rate per SM (fitted on validate/data/h200/mechanisms/training.csv, "
      "training split) and one measured L2 round trip per trip waited on (validate/data/h100-sxm/latency/)");
  // S^T = K Q^T, dV += P^T dO, dP = dO V^T, dQ += dS K, dK += dS^T Q, on whole tiles.
  main.tensor_flops = tiles * tile_scores * 2.0 * (qk_depth + dov_depth + dv_columns + dq_columns + dk_columns);
  main.exp_ops = tiles * tile_scores;
  // dS = P * (dP - D) and the scale per score; D = rowsum(dO * O), which every CTA computes for
  // the whole of its head (kKernelComputesDelta, the loop before the key blocks).
  main.vector_flops = tiles * tile_scores * kBackwardVectorFlopsPerScore + main.ctas * 2.0 * double(w.seq_q) * dv;
  // Every matmul runs on 32x32 warp tiles (WarpShape<32, 32> throughout kernel_backward.h): per
  // M x N x K product each warp loads 32 rows of A and 32 columns of B, K deep, from shared
  // memory: e * M * N * K / 16 bytes, e / 32 per matmul FLOP.
  main.shared_memory_read_bytes = main.tensor_flops * e / 32.0;

  // Global traffic per (key block, query block): operand tiles Q_i (for S and dK), dO_i (for dV
  // and dP), V_j, K_j (for dQ; and for S unless the kernel preloads and keeps it), waited on only
  // without kPreload (with it they arrive during the previous matmul's epilogue),
  const double operand_bytes_per_tile = e * (2.0 * bi * (d + dv) + bj * (d + dv) + (kernel.preload ? 0.0 : bj * d));
  const double waited_operand_bytes_per_tile = kernel.preload ? 0.0 : operand_bytes_per_tile;
  // the fp32 dQ accumulator tile read and written back (under its lock when split),
  const double dq_bytes_per_tile = 2.0 * bi * d * kFp32Bytes;
  // dK and dV staged in fp32 between query blocks when not in registers (neither read at a key
  // block's first query block nor stored at its last),
  const double staged_dkdv_bytes =
      kernel.output_in_rf ? 0.0 : (tiles - bh * blocks.active_query_blocks) * 2.0 * bj * (d + dv) * kFp32Bytes;
  // and D: every CTA reads O and dO of its whole head.
  const double delta_read_bytes = main.ctas * 2.0 * double(w.seq_q) * dv * e;
  main.l2_wait_bytes =
      tiles * (waited_operand_bytes_per_tile + dq_bytes_per_tile) + staged_dkdv_bytes + delta_read_bytes;
  main.l2_read_bytes =
      tiles * (operand_bytes_per_tile + dq_bytes_per_tile / 2.0) + staged_dkdv_bytes / 2.0 + delta_read_bytes;
  // Round trips waited on per tile: the first operand stage of each matmul the kernel does not
  // preload (S, dP, and dV, dQ, dK per output column chunk: kN = kBlockSizeI, kBlockSizeJ,
  // kBlockSizeI), each accumulator chunk read back from the workspace, and per dQ chunk the lock
  // (atomicCAS) and the __threadfence before its release when split.
  const double dv_chunks = ceil_div(dv, bi), dq_chunks = ceil_div(d, bj), dk_chunks = ceil_div(d, bi);
  const double matmul_starts = kernel.preload ? 0.0 : 2.0 + dv_chunks + dq_chunks + dk_chunks;
  const double accumulator_reads = dq_chunks + (kernel.output_in_rf ? 0.0 : dv_chunks + dk_chunks);
  const double lock_trips = splits > 1 ? 2.0 * dq_chunks : 0.0;
  main.l2_round_trips = tiles * (matmul_starts + accumulator_reads + lock_trips);

  const double slots = gpu.sm_count * main.ctas_per_sm;
  main.schedule_stretch = split_schedule_stretch(mask_of(w), kernel, splits, bh, slots);
  // Split keys accumulate dQ in the workspace under a lock per (query block, column chunk): take the
  // lock, read the fp32 tile, dQ += dS K_j, write it back, fence, release. The splits of a head walk
  // its query blocks from staggered starts (getQueryStartShift: split s at block s mod the blocks,
  // without a mask), so a lock sees one section after another, as many as key blocks visit its
  // query block. A head whose splits outnumber its query blocks (queries shorter than keys) waits
  // on that chain, not its matmuls; up to slots / splits heads hold their locks side by side, and a
  // wider head dim's column chunks have locks of their own.
  if (splits > 1) {
    // Rounds of heads whose chains run one after another: at least one, a head's own chain.
    const double head_rounds = std::max(1.0, bh * std::min(1.0, double(splits) / slots));
    main.serialized_sections = most_visits_of_a_query_block(mask_of(w), kernel) * head_rounds;
    main.serialized_section_l2_bytes = 2.0 * bi * bj * kFp32Bytes;
    main.serialized_section_tensor_flops = 2.0 * bi * bj * bj;
    main.serialized_section_round_trips = 3.0;  // the lock, the load after the fence, the fence before release
  }
  // HBM: the inputs once (splits of a head walk its query blocks together), the outputs and D
  // once; the zeroed workspace read back and written out once.
  const double kv_read_bytes = double(w.batch) * double(w.kv_heads) * double(w.seq_kv) * (d + dv) * e;
  main.hbm_read_bytes = kv_read_bytes + q_bytes(w) + 2.0 * o_bytes(w) + delta_bytes + (splits > 1 ? workspace : 0.0);
  main.hbm_write_bytes =
      q_bytes(w) + bh * double(w.seq_kv) * (d + dv) * e + delta_bytes + (splits > 1 ? workspace : 0.0);
  cost.kernels.push_back(main);

  if (w.kv_heads != w.heads) {  // dK, dV per query head, then summed over the group
    KernelCost reduce;
    reduce.name = "mem-efficient bwd sum dK,dV over GQA group";
    reduce.vector_flops = bh * double(w.seq_kv) * (d + dv);
    reduce.hbm_read_bytes = bh * double(w.seq_kv) * (d + dv) * e;
    reduce.hbm_write_bytes = k_bytes(w) + v_bytes(w);
    reduce.efficiency = main.efficiency;
    cost.kernels.push_back(reduce);
  }

  const double logsumexp_bytes = bh * double(w.seq_q) * kFp32Bytes;
  const double qkvo = q_bytes(w) + k_bytes(w) + v_bytes(w) + o_bytes(w);
  cost.compulsory_read_bytes += qkvo + o_bytes(w) + logsumexp_bytes;
  cost.compulsory_write_bytes += q_bytes(w) + k_bytes(w) + v_bytes(w);
  cost.io_bytes = 2.0 * qkvo;  // plus dO, dQ, dK, dV
  const double gqa_expanded_dkv = w.kv_heads == w.heads ? 0.0 : bh * double(w.seq_kv) * (d + dv) * e;
  // logsumexp (kept from the forward), D (fp32 per query row) and the kernel's workspace.
  cost.workspace_bytes = logsumexp_bytes + delta_bytes + workspace + gqa_expanded_dkv;
}

}  // namespace attnsim

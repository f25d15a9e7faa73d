// Memory-efficient attention (xformers / CUTLASS fMHA, PyTorch's EFFICIENT_ATTENTION backend),
// forward and backward from CUTLASS's own kernels: the forward is AttentionKernel
// (mem_eff_attention/kernel_forward.h, the `fmha_cutlassF_*` kernels), the backward
// AttentionBackwardKernel (model/variants/cutlass_fmha_backward.cpp).
#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "model/efficiency.h"
#include "model/mask_geometry.h"
#include "model/tiled_attention.h"
#include "model/tiling.h"
#include "model/variant.h"
#include "model/variants/cutlass_fmha_backward.h"
#include "model/variants/flash2.h"

namespace attnsim {
namespace {

constexpr double kFp32Bytes = 4.0;

double batch_heads(const Workload& w) { return double(w.batch) * double(w.heads); }

// kernel_forward.h, getWarpsPerSmFw: 16 warps per SM for 16-bit inputs on sm80+; the launch
// bounds ask for kMinBlocksPerSm = 16 / kNumWarpsPerBlock CTAs, so ptxas caps the registers at
// 65536 / 512 = 128 per thread.
constexpr double kRegistersAtLaunchBoundsCap = 128.0;
// What ptxas gave the two kernels PyTorch 2.11 launched on an H100 at B = 1, H = 32, N = 4096
// (validate/data/h100-sxm/breakdown/kernels.csv and run2/kernels.csv, Nsight Systems):
// fmha_cutlassF_bf16_aligned_64x128_rf_sm80: 128 registers, 52224 B of shared memory;
// fmha_cutlassF_bf16_aligned_32x128_gmem_sm80: 122 registers, 51200 B.
constexpr double kSharedMemory64x128Bytes = 52224.0;
constexpr double kRegisters32x128Gmem = 122.0;
constexpr double kSharedMemory32x128GmemBytes = 51200.0;
// MM0 and MM1 on sm80+ with 16-bit inputs: a multistage (cp.async) mainloop of 4 stages
// (kernel_forward.h, `ArchTag::kMinComputeCapability >= 80 && kIsHalf ? 4 : kStages`), each stage
// ThreadK = 32 deep (DefaultGemmType for the tensor-op sm80 path, gemm_kernel_utils.h).
constexpr double kMainloopStages = 4.0;
constexpr double kStageDepth = 32.0;

// One instantiation of AttentionKernel<T, Sm80, aligned, kQueriesPerBlock, kKeysPerBlock, kMaxK>
// (kernels/generate_kernels.py, FwdKernel.get_all, sm80 range used from cc 8.0 up):
// (64, 64, 64) "rf", (64, 128, 128) "rf", (32, 128, 65536) "gmem". The dispatch
// (attention.cu, DISPATCH_KERNEL) takes the first whose kMaxK >= max(d, dv).
struct ForwardKernel {
  std::int64_t block_m;
  std::int64_t block_n;
  std::int64_t max_k;
  // kSingleValueIteration = kKeepOutputInRF = kMaxK <= kKeysPerBlock: O stays in registers;
  // otherwise the fp32 output accumulator lives in global memory (output_accum).
  bool output_in_rf() const { return max_k <= block_n; }
};

ForwardKernel forward_kernel(const Workload& w) {
  const std::int64_t k = std::max(w.head_dim, w.head_dim_v);
  if (k <= 64) return {64, 64, 64};
  if (k <= 128) return {64, 128, 128};  // "better perf with 64x128 on A100" (generate_kernels.py)
  return {32, 128, 65536};
}

// The registers and shared memory ptxas gave the kernels measured (constants above); the 64x64
// kernel's are the launch bounds' cap and a count of its tile like FlashAttention's.
struct CompiledKernel {
  int registers_per_thread = int(kRegistersAtLaunchBoundsCap);
  std::optional<double> shared_memory_bytes;
};

CompiledKernel compiled(const ForwardKernel& k) {
  if (k.block_m == 64 && k.block_n == 128) return {int(kRegistersAtLaunchBoundsCap), kSharedMemory64x128Bytes};
  if (!k.output_in_rf()) return {int(kRegisters32x128Gmem), kSharedMemory32x128GmemBytes};
  return {};
}

Tiling forward_tiling(const Workload& w) {
  const ForwardKernel k = forward_kernel(w);
  // kNumWarpsPerBlock = kQueriesPerBlock * kKeysPerBlock / (32 * 32).
  return {k.block_m, k.block_n, int(k.block_m * k.block_n / 1024), 1, int(kRegistersAtLaunchBoundsCap)};
}

// Key blocks query block i walks (kernel_forward.h advance_to_block: with a causal mask num_keys
// stops at the last key its bottom row sees).
double query_block_key_blocks(const MaskGeometry& m, std::int64_t bm, std::int64_t bn, std::int64_t i) {
  const std::int64_t first_row = i * bm;
  const std::int64_t last_row = std::min(m.seq_q, first_row + bm) - 1;
  const std::int64_t first_key = std::max<std::int64_t>(0, m.lo_offset ? first_row + *m.lo_offset : 0);
  const std::int64_t last_key = std::min(m.seq_kv - 1, m.hi_offset ? last_row + *m.hi_offset : m.seq_kv - 1);
  if (last_key < first_key) return 0.0;
  return double(last_key / bn - first_key / bn + 1);
}

// The gmem kernel's accumulator tiles start to come from DRAM when the resident CTAs' Q and
// accumulator tiles fill this many L2 partitions, and all of them do from the second figure: fitted
// on the H100's four counts (d = 256, 320, 384, 512 at N = 4096; price_cutlass_forward).
constexpr double kAccumulatorMissStart = 0.91;
constexpr double kAccumulatorMissFull = 1.44;

// Prices the forward kernel as CUTLASS's AttentionKernel runs it. `k` holds the tiled counts
// (tensor FLOPs on whole tiles, exp, vector, HBM, CTAs); this adds what the kernel does per
// (query block, key block) tile on top of the mma.sync issue.
void price_cutlass_forward(const Workload& w, const Gpu& gpu, const Tiling& t, bool tile_from_knobs, KernelCost& k) {
  const ForwardKernel kernel =
      tile_from_knobs ? ForwardKernel{t.block_m, t.block_n,
                                      std::max(w.head_dim, w.head_dim_v) <= t.block_n ? std::int64_t(t.block_n)
                                                                                      : std::int64_t(65536)}
                      : forward_kernel(w);
  const double e = element_bytes(w.dtype);
  const double bm = double(kernel.block_m), bn = double(kernel.block_n);
  const double d = double(w.head_dim), dv = double(w.head_dim_v);
  const double bh = batch_heads(w);
  const MaskGeometry mask = mask_of(w);
  const BlockCounts blocks = count_blocks(mask, kernel.block_m, kernel.block_n);
  const double tiles = bh * blocks.tiles;

  k.efficiency = cutlass_fmha_efficiency(
      gpu, "mem-efficient", k.ctas_per_sm,
      "CUTLASS fMHA forward (kernel_forward.h): mma.sync at 32x32 warp tiles, shared-memory operand loads, "
      "the operands of each S = Q K^T prologue waited on at the backward's L2 wait rate (0.6, fitted on the "
      "backward: validate/data/h200/mechanisms/training.csv) and one measured L2 round trip per trip waited on");

  // MM1 (P V) computes whole output chunks of kKeysPerBlock columns (MM1::ThreadblockShape N): past
  // dv its warps multiply the zeros the masked V loads leave, so its work is ceil(dv / bn) * bn wide.
  const double padded_dv = std::ceil(dv / bn) * bn;
  k.tensor_flops *= (d + padded_dv) / (d + dv);
  // Both matmuls run on 32x32 warp tiles (MM0::WarpShape, MM1::WarpShape = GemmShape<32, 32, ..>):
  // per M x N x K product each warp loads 32 rows of A and 32 columns of B, K deep, from shared
  // memory: e / 32 bytes per matmul FLOP.
  k.shared_memory_read_bytes = k.tensor_flops * e / 32.0;

  // S = Q_i K_j^T starts every key block after a __syncthreads, its prologue not overlapped with
  // anything: MM0's IteratorA re-reads the Q tile from global memory for every key block, and the
  // prologue issues kNumStagesConcurrentLoad stages of Q and K before the first MMA
  // (custom_mma_multistage.h: every stage when the whole of kMaxK fits, as in the "rf" kernels, whose
  // stages MakeCustomMma trims to ceil(kMaxK / 32); kStages - 1 otherwise). The later stages stream
  // under the MMAs. V is preloaded (kPreloadV on sm80+ with 16-bit inputs: MM1's prologue runs
  // during the softmax, and for each further output chunk during the previous chunk's epilogue).
  const double mm0_stages = kernel.output_in_rf()
                                ? std::min(kMainloopStages, std::ceil(double(kernel.max_k) / kStageDepth))
                                : kMainloopStages - 1.0;
  const double prologue_depth = std::min(d, mm0_stages * kStageDepth);
  const double waited_operand_bytes = tiles * e * (bm + bn) * prologue_depth;
  // The "gmem" kernel (kMaxK > kKeysPerBlock) runs MM1 in output chunks of kKeysPerBlock columns
  // (nBlockN = ceil(dv / kKeysPerBlock)), each ending in an epilogue that reads the fp32 accumulator
  // chunk back from output_accum (waited on: it is rescaled and added to) and writes it out (a
  // store nothing waits on), bf16 O at the last key block; nothing is read at the first.
  const double chunks = kernel.output_in_rf() ? 1.0 : std::ceil(dv / bn);
  const double accumulator_tiles = kernel.output_in_rf() ? 0.0 : tiles - bh * blocks.active_query_blocks;
  const double accumulator_read_bytes = accumulator_tiles * bm * dv * kFp32Bytes;
  // Each key block every resident CTA re-reads its Q tile and reads its accumulator tile back (and
  // writes it out), so a tile's next use comes after all of theirs: as these tiles outgrow the L2
  // partition an SM's lines live in, the accumulator round trips miss. On an H100 at N = 4096 the
  // share of the accumulator reads that reached DRAM was 0.14 at 0.99 of a partition's 25 MiB
  // (d = 256), 0.62 at 1.24 (d = 320) and 1 at 1.48 and 2.0 (d = 384, 512); it rises in a line from
  // 0.91 to 1.44 partitions (validate/data/h100-sxm/cutlass_counters/ and unseen_head_dims/).
  const double resident_ctas = std::min(bh * double(blocks.query_blocks), gpu.sm_count * k.ctas_per_sm);
  const double resident_tile_bytes = resident_ctas * bm * (dv * kFp32Bytes + d * e);
  const double partitions_filled = resident_tile_bytes / gpu.l2_bytes_read_by_every_sm();
  const double dram_share = std::clamp(
      (partitions_filled - kAccumulatorMissStart) / (kAccumulatorMissFull - kAccumulatorMissStart), 0.0, 1.0);
  k.l2_wait_bytes = waited_operand_bytes + (1.0 - dram_share) * accumulator_read_bytes;
  k.dram_wait_bytes = dram_share * accumulator_read_bytes;
  k.hbm_read_bytes += dram_share * accumulator_read_bytes;
  k.hbm_write_bytes += dram_share * accumulator_read_bytes;
  // Per tile the L2 carries Q_i, K_j, V_j (and the accumulator both ways); on top of the HBM bytes.
  k.l2_read_bytes = tiles * e * (bm * d + bn * (d + dv)) + accumulator_read_bytes;
  // Round trips waited on one after another: S's first stage per tile, and each accumulator chunk
  // read back.
  k.l2_round_trips = tiles + (kernel.output_in_rf() ? 0.0 : accumulator_tiles * chunks);

  // Grid (ceil(Nq / kQueriesPerBlock), H, B), query block fastest: list-scheduled under a mask.
  k.ctas = bh * blocks.query_blocks;
  const double slots = gpu.sm_count * k.ctas_per_sm;
  k.schedule_stretch = 0.0;
  if ((mask.lo_offset || mask.hi_offset) && slots >= 1.0 && k.ctas <= 8.0 * slots) {
    std::vector<double> work(static_cast<std::size_t>(blocks.query_blocks));
    for (std::size_t i = 0; i < work.size(); ++i)
      work[i] = query_block_key_blocks(mask, kernel.block_m, kernel.block_n, std::int64_t(i));
    k.schedule_stretch = list_schedule_makespan_ratio(work, bh, slots);
  }
}

Cost mem_efficient_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  require_half_precision(w, "mem-efficient");
  Efficiency eff;
  eff.tensor_path = TensorPath::mma_sync;
  eff.operand_fetch_serial = 1.0;
  eff.overlap_across_ctas = true;
  const Tiling tiling = with_knobs(forward_tiling(w), knobs);
  TiledKernelSpec forward{"mem-efficient fwd", tiling, eff, true, sets_tile(knobs), true};
  if (!sets_tile(knobs)) {  // the library's own kernel, as compiled
    const CompiledKernel kernel = compiled(forward_kernel(w));
    forward.tiling.registers_per_thread = kernel.registers_per_thread;
    forward.shared_memory_per_cta_bytes = kernel.shared_memory_bytes;
  }
  Workload forward_pass = w;
  forward_pass.pass = Pass::forward;
  Cost cost = tiled_attention_cost(forward_pass, gpu, forward, forward);  // forward only: no backward spec used
  for (KernelCost& k : cost.kernels) {
    if (k.name == forward.name) price_cutlass_forward(forward_pass, gpu, tiling, sets_tile(knobs), k);
  }
  // The "gmem" kernel's fp32 output accumulator (attention.cu allocates output_accum, B x Nq x H x
  // dv floats, when kNeedsOutputAccumulatorBuffer).
  if (std::max(w.head_dim, w.head_dim_v) > tiling.block_n) {
    cost.workspace_bytes += batch_heads(w) * double(w.seq_q) * double(w.head_dim_v) * kFp32Bytes;
  }
  if (w.pass == Pass::forward) return cost;
  if (w.pass == Pass::backward) {  // the forward's outputs (O, logsumexp) are inputs here
    cost.kernels.clear();
    cost.compulsory_read_bytes = 0;
    cost.compulsory_write_bytes = 0;
  }
  cost.model_flops = pass_model_flops(w);
  add_cutlass_backward(w, gpu, cost);
  return cost;
}

}  // namespace

Variant mem_efficient_variant() {
  return {
      "mem-efficient",
      "xformers / CUTLASS memory-efficient attention (PyTorch EFFICIENT_ATTENTION): CUTLASS fMHA kernels, 64x128 tiles",
      "O(N^2)",
      {"--tile BMxBN", "--warps", "--stages"},
      "PyTorch mem_eff_attention kernel_forward.h, generate_kernels.py; FA2 paper Sec. 4.1 comparison",
      mem_efficient_cost};
}

}  // namespace attnsim

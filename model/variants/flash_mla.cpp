// FlashMLA's dense decoding kernel (deepseek-ai/FlashMLA, csrc/sm90/decode/dense): multi-head latent
// attention in its absorbed form. Every query head attends to one compressed cache per token, the
// 512-element latent plus 64 rope elements, which is both K (d = 576) and V (its first 512 columns),
// so a token's cache is read once for both matmuls. Query heads and MTP tokens of a KV head are
// packed into 64-row tiles; persistent CTAs, one per SM, take equal payloads of 64-token blocks from
// a tile scheduler that charges each request split 5 blocks of overhead; a combine kernel merges
// the splits. The CTA's two consumer warpgroups alternate softmax and matmuls ("seesaw", a ping-pong
// variant), so the pipes are the warp-specialised design's (warp_specialized.h).
#include <algorithm>
#include <cmath>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/rounding.h"
#include "model/tiled_attention.h"
#include "model/variant.h"
#include "model/variants/warp_specialized.h"

namespace attnsim {
namespace {

// csrc/sm90/decode/dense/config.h: BLOCK_SIZE_M, PAGE_BLOCK_SIZE, HEAD_DIM_K, HEAD_DIM_V.
constexpr std::int64_t kRowsPerTile = 64;
constexpr std::int64_t kTokensPerBlock = 64;
constexpr std::int64_t kHeadDimK = 576;
constexpr std::int64_t kHeadDimV = 512;
// csrc/api/dense_decode.h passes fixed_overhead_num_blocks = 5 to get_mla_metadata: the scheduler's
// own price of starting a request split, in blocks of work.
constexpr double kSplitOverheadBlocks = 5.0;
constexpr double kFp32Bytes = 4.0;

void require_flash_mla_shape(const Workload& w, const Gpu& gpu) {
  if (arch_family(gpu) != "sm90") {
    throw InvalidInput(
        "gpu", "FlashMLA's dense decoding kernel runs on sm90 (Hopper) only; " + gpu.id + " is " + arch_family(gpu));
  }
  if (w.pass != Pass::forward) throw InvalidInput("pass", "flash-mla is a decoding kernel; allowed: forward");
  if (w.dtype != Dtype::bf16 && w.dtype != Dtype::fp16) {
    throw InvalidInput("dtype", "flash-mla's dense cache is bf16 or fp16; allowed: bf16, fp16");
  }
  if (w.head_dim != kHeadDimK || w.head_dim_v != kHeadDimV) {
    throw InvalidInput("head-dim",
                       "flash-mla is compiled for --head-dim 576 (512 latent + 64 rope) and --head-dim-v 512");
  }
  if (w.window) throw InvalidInput("window", "flash-mla has no sliding window");
}

Cost flash_mla_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& /*knobs*/) {
  require_flash_mla_shape(w, gpu);
  const double e = element_bytes(w.dtype);
  const double batch = double(w.batch);
  const double kv_heads = double(w.kv_heads);
  const double rows = double(w.seq_q) * double(w.heads / w.kv_heads);  // query rows sharing one cache
  const double m_blocks = ceil_div(rows, double(kRowsPerTile));
  // dense_decode.h: num_sm_parts = max(num_sms / h_kv / ceil(rows / 64), 1).
  const double sm_parts = std::max(std::floor(std::floor(gpu.sm_count / kv_heads) / m_blocks), 1.0);
  const double blocks_per_request = ceil_div(double(w.seq_kv), double(kTokensPerBlock));
  // get_mla_metadata: payload = ceil(sum over requests of (blocks + 5) / parts) + 5.
  const double payload_blocks =
      ceil_div(batch * (blocks_per_request + kSplitOverheadBlocks), sm_parts) + kSplitOverheadBlocks;
  const double ctas = sm_parts * kv_heads * m_blocks;
  const double padded_scores =
      batch * kv_heads * m_blocks * double(kRowsPerTile) * blocks_per_request * double(kTokensPerBlock);
  const double flops_per_score = 2.0 * double(kHeadDimK + kHeadDimV);
  const double real_scores = batch * double(w.heads) * double(w.seq_q) * double(w.seq_kv);

  KernelCost split;
  split.name = "flash_fwd_splitkv_mla";
  split.efficiency = warp_specialized_efficiency(gpu, "flash-mla", false);
  split.tensor_dtype = w.dtype;
  split.tensor_flops = padded_scores * flops_per_score;
  // The softmax runs over whole tiles, padding and masked tail included.
  split.exp_ops = padded_scores;
  split.vector_flops = padded_scores * kSoftmaxVectorFlopsPerScore;
  split.ctas = ctas;
  split.ctas_per_sm = 1.0;  // a 64 x 512 fp32 accumulator is half the register file
  // Each CTA runs its payload alone on its SM, in ceil(CTAs / SMs) waves: the makespan over the
  // perfectly balanced time.
  const double waves = std::ceil(ctas / double(gpu.sm_count));
  split.schedule_stretch =
      waves * payload_blocks * double(gpu.sm_count) / (batch * kv_heads * m_blocks * blocks_per_request);
  const double cache_bytes = batch * kv_heads * double(w.seq_kv) * double(kHeadDimK) * e;
  // The row tiles of one KV head stream the same blocks at the same time: one HBM read, m_blocks L2 reads.
  split.hbm_read_bytes = q_bytes(w) + cache_bytes;
  split.l2_read_bytes = q_bytes(w) + cache_bytes * m_blocks;
  // dense_decode.h sizes the fp32 partials for batch + num_sm_parts splits.
  const double splits = batch + sm_parts;
  const double partial_bytes = splits * double(w.heads) * double(w.seq_q) * double(kHeadDimV + 1) * kFp32Bytes;
  split.hbm_write_bytes = partial_bytes;

  KernelCost combine;
  combine.name = "flash_fwd_mla_combine";
  combine.efficiency = split.efficiency;
  combine.hbm_read_bytes = partial_bytes;
  combine.l2_read_bytes = partial_bytes;
  combine.hbm_write_bytes = o_bytes(w) + batch * double(w.heads) * double(w.seq_q) * kFp32Bytes;
  combine.exp_ops = splits * double(w.heads) * double(w.seq_q);

  Cost cost;
  cost.kernels = {split, combine};
  cost.model_flops = real_scores * flops_per_score;
  cost.compulsory_read_bytes = q_bytes(w) + cache_bytes;
  cost.compulsory_write_bytes = o_bytes(w);
  cost.io_bytes = q_bytes(w) + cache_bytes + o_bytes(w);
  cost.workspace_bytes = partial_bytes + batch * double(w.heads) * double(w.seq_q) * kFp32Bytes;
  cost.notes.push_back("absorbed MLA: one " + std::to_string(kHeadDimK) + "-element cache row per token is K and V; " +
                       std::to_string(static_cast<long long>(sm_parts)) + " persistent CTA groups of " +
                       std::to_string(static_cast<long long>(payload_blocks)) + " blocks each");
  return cost;
}

}  // namespace

Variant flash_mla_variant() {
  return {"flash-mla",
          "FlashMLA dense decoding (sm90): absorbed multi-head latent attention over the compressed 576-element cache",
          "O(N)",
          {},
          "deepseek-ai/FlashMLA csrc/sm90/decode/dense (config.h, dense_decode.h, get_mla_metadata) and "
          "docs/20250422-new-kernel-deep-dive.md",
          flash_mla_cost};
}

}  // namespace attnsim

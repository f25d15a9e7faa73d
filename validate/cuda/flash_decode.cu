// Split-KV decoding (flash-decoding; FlashAttention-2's splitkv + combine kernels), written for
// clarity on CUDA cores: one query row per head makes this memory bound (every K/V byte is used
// for 2 * H/Hkv flops), so the kernel's job is to stream K and V once at full bandwidth.
//
// Split kernel: grid (S splits, B * Hkv), 4 warps. The CTA's G = H/Hkv query heads sit in registers
// (lane l holds dims [l*d/32, (l+1)*d/32) of each, pre-scaled by scale*log2 e). Warp w takes keys
// w*8 .. w*8+7, then +32, ... of the split: it loads those K and V rows (coalesced, d/32
// elements per lane), reduces q.k across the warp, and keeps an online softmax per head. The
// four warps' states are merged through shared memory; the CTA writes O_partial (fp32, normalised)
// and logsumexp per head. Combine kernel: one CTA per (b, h), weights exp(lse_s - max lse).
#include "flash_decode.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "cuda_check.h"
#include "mma_ptx.cuh"

namespace attnsim::bench {
namespace {

constexpr int kWarps = 4;
constexpr int kThreads = 32 * kWarps;
// K/V rows a warp loads before using any. 4 (the first version) left ~16 KB in flight per SM and
// reached ~1.6 TB/s at B=16 on an H100; Little's law at ~3 TB/s and ~1 us asks for ~23 KB per SM.
constexpr int kKeysPerWarpStep = 8;
constexpr float kLn2 = 0.6931471805599453f;
// flash_api.cpp: "num_splits <= 128"; heuristic thresholds 0.8 (enough blocks) and 0.85 (of best).
constexpr std::int64_t kMaxSplits = 128;
constexpr double kEnoughBlocksFraction = 0.8;
constexpr double kNearBestEfficiency = 0.85;
constexpr int kCtasPerSmInHeuristic = 2;  // flash_api.cpp passes multiProcessorCount * 2

struct DecodeParams {
  const __nv_bfloat16* q;  // (B, H, 1, d)
  const __nv_bfloat16* k;  // (B, Hkv, Nk, d)
  const __nv_bfloat16* v;  // (B, Hkv, Nk, d)
  float* o_partial;        // (S, B, H, d), normalised within its split; null with one split
  float* lse_partial;      // (S, B, H); null with one split
  __nv_bfloat16* o;        // (B, H, 1, d)
  float* lse;              // (B, H)
  int heads;
  int kv_heads;
  int seq_kv;
  int batch_heads;     // B * H
  int keys_per_split;  // a multiple of the key block
  float scale_log2;
};

// The d/32 = 2 or 4 consecutive elements of a row that one lane owns (one 4- or 8-byte load).
template <int kHeadDim>
__device__ __forceinline__ void load_slice(float (&out)[kHeadDim / 32], const __nv_bfloat16* row, int lane) {
  constexpr int kElements = kHeadDim / 32;
  const __nv_bfloat16* source = row + lane * kElements;
  if constexpr (kElements == 4) {
    const uint2 raw = *reinterpret_cast<const uint2*>(source);
    const auto* pair = reinterpret_cast<const __nv_bfloat162*>(&raw);
    const float2 a = __bfloat1622float2(pair[0]);
    const float2 b = __bfloat1622float2(pair[1]);
    out[0] = a.x;
    out[1] = a.y;
    out[2] = b.x;
    out[3] = b.y;
  } else {
    const float2 a = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(source));
    out[0] = a.x;
    out[1] = a.y;
  }
}

template <int kHeadDim, int kGroup>
__global__ void __launch_bounds__(kThreads) flash_decode_split_kernel(const DecodeParams p) {
  constexpr int kElements = kHeadDim / 32;
  const int split = static_cast<int>(blockIdx.x);
  const int batch_kv_head = static_cast<int>(blockIdx.y);  // b * Hkv + kvh
  const int batch = batch_kv_head / p.kv_heads;
  const int kv_head = batch_kv_head % p.kv_heads;
  const int first_head = kv_head * kGroup;  // query heads first_head .. first_head + G - 1
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;

  float q[kGroup][kElements];
#pragma unroll
  for (int g = 0; g < kGroup; ++g) {
    load_slice<kHeadDim>(q[g], p.q + (static_cast<std::int64_t>(batch) * p.heads + first_head + g) * kHeadDim, lane);
#pragma unroll
    for (int e = 0; e < kElements; ++e) q[g][e] *= p.scale_log2;
  }
  float running_max[kGroup];
  float running_sum[kGroup];
  float acc[kGroup][kElements];
#pragma unroll
  for (int g = 0; g < kGroup; ++g) {
    running_max[g] = -INFINITY;
    running_sum[g] = 0.0f;
#pragma unroll
    for (int e = 0; e < kElements; ++e) acc[g][e] = 0.0f;
  }

  const int key_begin = split * p.keys_per_split;
  const int key_end = min(p.seq_kv, key_begin + p.keys_per_split);
  const std::int64_t kv_offset = static_cast<std::int64_t>(batch_kv_head) * p.seq_kv * kHeadDim;
  for (int base = key_begin + warp * kKeysPerWarpStep; base < key_end; base += kWarps * kKeysPerWarpStep) {
    float k_rows[kKeysPerWarpStep][kElements];
    float v_rows[kKeysPerWarpStep][kElements];
#pragma unroll
    for (int u = 0; u < kKeysPerWarpStep; ++u) {
      const int key = min(base + u, key_end - 1);  // a duplicate row for keys past the end; masked below
      load_slice<kHeadDim>(k_rows[u], p.k + kv_offset + static_cast<std::int64_t>(key) * kHeadDim, lane);
      load_slice<kHeadDim>(v_rows[u], p.v + kv_offset + static_cast<std::int64_t>(key) * kHeadDim, lane);
    }
#pragma unroll
    for (int g = 0; g < kGroup; ++g) {
      float score[kKeysPerWarpStep];  // q.k * scale * log2 e
#pragma unroll
      for (int u = 0; u < kKeysPerWarpStep; ++u) {
        float partial = 0.0f;
#pragma unroll
        for (int e = 0; e < kElements; ++e) partial = fmaf(q[g][e], k_rows[u][e], partial);
#pragma unroll
        for (int offset = 16; offset > 0; offset /= 2) partial += __shfl_xor_sync(0xFFFFFFFFu, partial, offset);
        score[u] = base + u < key_end ? partial : -INFINITY;
      }
      float step_max = score[0];
#pragma unroll
      for (int u = 1; u < kKeysPerWarpStep; ++u) step_max = fmaxf(step_max, score[u]);
      const float new_max = fmaxf(running_max[g], step_max);  // finite: key `base` is always valid
      const float correction = ptx::exp2_approx(running_max[g] - new_max);
      running_max[g] = new_max;
      running_sum[g] *= correction;
#pragma unroll
      for (int e = 0; e < kElements; ++e) acc[g][e] *= correction;
#pragma unroll
      for (int u = 0; u < kKeysPerWarpStep; ++u) {
        const float prob = ptx::exp2_approx(score[u] - new_max);
        running_sum[g] += prob;
#pragma unroll
        for (int e = 0; e < kElements; ++e) acc[g][e] = fmaf(prob, v_rows[u][e], acc[g][e]);
      }
    }
  }

  // Merge the four warps: each publishes (max, sum, acc) per head; thread t then finishes
  // (head, dim) pairs. A warp that saw no key has max -inf and weight 0.
  __shared__ float shared_max[kWarps][kGroup];
  __shared__ float shared_sum[kWarps][kGroup];
  __shared__ float shared_acc[kWarps][kGroup][kHeadDim];
#pragma unroll
  for (int g = 0; g < kGroup; ++g) {
    if (lane == 0) {
      shared_max[warp][g] = running_max[g];
      shared_sum[warp][g] = running_sum[g];
    }
#pragma unroll
    for (int e = 0; e < kElements; ++e) shared_acc[warp][g][lane * kElements + e] = acc[g][e];
  }
  __syncthreads();
  for (int item = static_cast<int>(threadIdx.x); item < kGroup * kHeadDim; item += kThreads) {
    const int g = item / kHeadDim;
    const int dim = item % kHeadDim;
    float max_all = -INFINITY;
    for (int w = 0; w < kWarps; ++w) max_all = fmaxf(max_all, shared_max[w][g]);
    const float subtract = max_all == -INFINITY ? 0.0f : max_all;
    float sum = 0.0f;
    float value = 0.0f;
    for (int w = 0; w < kWarps; ++w) {
      const float weight = ptx::exp2_approx(shared_max[w][g] - subtract);
      sum += weight * shared_sum[w][g];
      value += weight * shared_acc[w][g][dim];
    }
    const std::int64_t row = static_cast<std::int64_t>(split) * p.batch_heads +
                             static_cast<std::int64_t>(batch) * p.heads + first_head + g;  // (s, b, h)
    const float lse = sum > 0.0f ? subtract * kLn2 + logf(sum) : -INFINITY;
    if (p.o_partial == nullptr) {
      // One split: this CTA saw every key, so it writes O and logsumexp itself, as FlashAttention's
      // mha_fwd runs the plain forward kernel (no O_accum, no combine) when num_splits is 1.
      p.o[row * kHeadDim + dim] = __float2bfloat16(sum > 0.0f ? value / sum : 0.0f);
      if (dim == 0) p.lse[row] = lse;
    } else {
      p.o_partial[row * kHeadDim + dim] = sum > 0.0f ? value / sum : 0.0f;  // an empty split writes 0 ...
      if (dim == 0) p.lse_partial[row] = lse;                               // ... and -inf
    }
  }
}

// One CTA of d threads per (b, h): O = sum_s w_s O_s / sum_s w_s with w_s = exp(lse_s - max lse).
__global__ void flash_decode_combine_kernel(const DecodeParams p, int num_splits, int head_dim) {
  const int row = static_cast<int>(blockIdx.x);  // b * H + h
  const int dim = static_cast<int>(threadIdx.x);
  float max_lse = -INFINITY;
  for (int s = 0; s < num_splits; ++s)
    max_lse = fmaxf(max_lse, p.lse_partial[static_cast<std::int64_t>(s) * p.batch_heads + row]);
  const float subtract = max_lse == -INFINITY ? 0.0f : max_lse;
  float weight_sum = 0.0f;
  float value = 0.0f;
  for (int s = 0; s < num_splits; ++s) {
    const std::int64_t partial_row = static_cast<std::int64_t>(s) * p.batch_heads + row;
    const float weight = __expf(p.lse_partial[partial_row] - subtract);
    weight_sum += weight;
    if (weight > 0.0f) value += weight * p.o_partial[partial_row * head_dim + dim];  // 0 * NaN never happens
  }
  p.o[static_cast<std::int64_t>(row) * head_dim + dim] =
      __float2bfloat16(weight_sum > 0.0f ? value / weight_sum : 0.0f);
  if (dim == 0) p.lse[row] = weight_sum > 0.0f ? subtract + logf(weight_sum) : -INFINITY;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

using SplitLauncher = void (*)(const DecodeParams&, dim3, cudaStream_t);

template <int kHeadDim, int kGroup>
void launch_split(const DecodeParams& params, dim3 grid, cudaStream_t stream) {
  flash_decode_split_kernel<kHeadDim, kGroup><<<grid, kThreads, 0, stream>>>(params);
  CUDA_CHECK_LAUNCH();
}

template <int kHeadDim>
SplitLauncher split_launcher_for(std::int64_t group) {
  switch (group) {
    case 1:
      return launch_split<kHeadDim, 1>;
    case 2:
      return launch_split<kHeadDim, 2>;
    case 4:
      return launch_split<kHeadDim, 4>;
    case 8:
      return launch_split<kHeadDim, 8>;
    default:
      throw std::invalid_argument("--kv-heads: flash-decode is compiled for H/Hkv in {1, 2, 4, 8}");
  }
}

}  // namespace

std::int64_t flash_decode_key_block(const AttentionShape& shape) { return shape.head_dim <= 64 ? 256 : 128; }

std::int64_t flash_decode_default_splits(const AttentionShape& shape, int sm_count) {
  const double ctas = static_cast<double>(shape.batch * shape.kv_heads);
  const double slots = static_cast<double>(sm_count) * kCtasPerSmInHeuristic;
  const std::int64_t key_blocks = ceil_div(shape.seq_kv, flash_decode_key_block(shape));
  if (ctas >= kEnoughBlocksFraction * slots) return 1;
  const std::int64_t max_splits = std::min({kMaxSplits, static_cast<std::int64_t>(slots), key_blocks});
  auto eligible = [&](std::int64_t s) { return s == 1 || ceil_div(key_blocks, s) != ceil_div(key_blocks, s - 1); };
  std::vector<double> efficiency(static_cast<std::size_t>(std::max<std::int64_t>(max_splits, 0)) + 1, 0.0);
  double best = 0.0;
  for (std::int64_t s = 1; s <= max_splits; ++s) {
    if (!eligible(s)) continue;
    const double waves = ctas * static_cast<double>(s) / slots;
    efficiency[static_cast<std::size_t>(s)] = waves / std::ceil(waves);
    best = std::max(best, efficiency[static_cast<std::size_t>(s)]);
  }
  for (std::int64_t s = 1; s <= max_splits; ++s) {
    if (eligible(s) && efficiency[static_cast<std::size_t>(s)] >= kNearBestEfficiency * best) return s;
  }
  return 1;
}

AttentionPath prepare_flash_decode(const AttentionShape& s, const DeviceTensors& tensors, std::int64_t num_splits,
                                   int sm_count) {
  if (s.seq_q != 1) throw std::invalid_argument("--seq-q: flash-decode needs 1 (one decoding step)");
  const SplitLauncher split_launch =
      s.head_dim == 64 ? split_launcher_for<64>(s.group()) : split_launcher_for<128>(s.group());
  if (num_splits < 0 || num_splits > kMaxSplits)
    throw std::invalid_argument("--num-splits: must be 0 (heuristic) to 128");
  const bool heuristic = num_splits == 0;
  const std::int64_t key_block = flash_decode_key_block(s);
  const std::int64_t key_blocks = ceil_div(s.seq_kv, key_block);
  const std::int64_t splits = std::min(heuristic ? flash_decode_default_splits(s, sm_count) : num_splits, key_blocks);
  const std::int64_t keys_per_split = ceil_div(key_blocks, splits) * key_block;  // trailing splits may be empty

  AttentionPath path;
  const std::int64_t rows = s.batch * s.heads;
  float* o_partial = nullptr;
  float* lse_partial = nullptr;
  if (splits > 1) {  // flash_api.cpp allocates out_accum and softmax_lse_accum only for num_splits > 1
    path.workspace.emplace_back(static_cast<std::size_t>(splits * rows * s.head_dim) * sizeof(float));
    o_partial = path.workspace.back().as<float>();
    path.workspace.emplace_back(static_cast<std::size_t>(splits * rows) * sizeof(float));
    lse_partial = path.workspace.back().as<float>();
  }
  path.workspace.emplace_back(static_cast<std::size_t>(rows) * sizeof(float));
  auto* lse = path.workspace.back().as<float>();
  path.lse = lse;
  const DecodeParams params{tensors.q,
                            tensors.k,
                            tensors.v,
                            o_partial,
                            lse_partial,
                            tensors.o,
                            lse,
                            static_cast<int>(s.heads),
                            static_cast<int>(s.kv_heads),
                            static_cast<int>(s.seq_kv),
                            static_cast<int>(rows),
                            static_cast<int>(keys_per_split),
                            static_cast<float>(softmax_scale(s) * M_LOG2E)};
  const dim3 split_grid(static_cast<unsigned>(splits), static_cast<unsigned>(s.batch * s.kv_heads));
  const int head_dim = static_cast<int>(s.head_dim);
  path.note = std::to_string(splits) + " KV splits of " + std::to_string(keys_per_split) + " keys (" +
              (heuristic ? "FlashAttention's num_splits_heuristic" : "--num-splits") + ")";
  path.run = [split_launch, params, split_grid, splits, rows, head_dim](cudaStream_t stream) {
    split_launch(params, split_grid, stream);
    if (splits == 1) return;
    flash_decode_combine_kernel<<<static_cast<unsigned>(rows), static_cast<unsigned>(head_dim), 0, stream>>>(
        params, static_cast<int>(splits), head_dim);
    CUDA_CHECK_LAUNCH();
  };
  return path;
}

}  // namespace attnsim::bench

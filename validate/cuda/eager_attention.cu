// Hugging Face eager attention re-built from cuBLAS and small kernels, so that attnsim's `eager`
// model (model/variants/eager.cpp) meets the kernels it counts: each step reads and writes the full
// (B, H, Nq, Nk) scores through HBM. Steps and dtypes follow transformers' eager_attention_forward:
//   key = repeat_kv(key); attn = matmul(q, key^T) * scaling; attn = attn + causal_mask;
//   attn = softmax(attn, dim=-1, dtype=float32).to(bf16); out = matmul(attn, value);
//   out = out.transpose(1, 2).contiguous()
#include "eager_attention.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "cuda_check.h"

namespace attnsim::bench {
namespace {

constexpr int kElementwiseThreads = 256;
constexpr std::int64_t kMaxElementwiseBlocks = 65536;  // grid-stride loops cover the rest
constexpr int kVectorElements = 8;                     // 8 bf16 = one 16-byte access

unsigned elementwise_blocks(std::int64_t work_items) {
  return static_cast<unsigned>(
      std::clamp<std::int64_t>((work_items + kElementwiseThreads - 1) / kElementwiseThreads, 1, kMaxElementwiseBlocks));
}

struct alignas(16) Bf16x8 {
  bf16 v[kVectorElements];
};

// repeat_kv: (B, Hkv, Nk, d) -> (B, H, Nk, d), each KV head copied to its group of query heads.
__global__ void repeat_kv_kernel(const bf16* __restrict__ src, bf16* __restrict__ dst, std::int64_t head_vectors,
                                 std::int64_t group, std::int64_t total_vectors) {
  // head_vectors = Nk * d / 8 vectors per head; the destination head index is b*H + h.
  const auto* s = reinterpret_cast<const Bf16x8*>(src);
  auto* t = reinterpret_cast<Bf16x8*>(dst);
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < total_vectors;
       i += stride) {
    const std::int64_t dst_head = i / head_vectors;  // b * H + h
    const std::int64_t src_head = dst_head / group;  // b * Hkv + h / group
    t[i] = s[src_head * head_vectors + i % head_vectors];
  }
}

// attn * scaling, in place (PyTorch: a new bf16 tensor; the values are the same).
__global__ void scale_bf16_kernel(bf16* __restrict__ x, std::int64_t count, float scale) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  const std::int64_t vectors = count / kVectorElements;
  auto* xv = reinterpret_cast<Bf16x8*>(x);
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < vectors; i += stride) {
    Bf16x8 a = xv[i];
#pragma unroll
    for (int e = 0; e < kVectorElements; ++e) a.v[e] = __float2bfloat16(__bfloat162float(a.v[e]) * scale);
    xv[i] = a;
  }
  for (std::int64_t i = vectors * kVectorElements + blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
       i < count; i += stride) {
    x[i] = __float2bfloat16(__bfloat162float(x[i]) * scale);
  }
}

// attn + causal_mask, in place; the (Nq, Nk) mask broadcasts over B and H.
__global__ void add_mask_bf16_kernel(bf16* __restrict__ x, const bf16* __restrict__ mask, std::int64_t count,
                                     std::int64_t mask_elements) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  const std::int64_t begin = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
  if (mask_elements % kVectorElements == 0) {  // 8 consecutive scores meet 8 consecutive mask entries
    auto* xv = reinterpret_cast<Bf16x8*>(x);
    const auto* mv = reinterpret_cast<const Bf16x8*>(mask);
    const std::int64_t mask_vectors = mask_elements / kVectorElements;
    for (std::int64_t i = begin; i < count / kVectorElements; i += stride) {
      Bf16x8 a = xv[i];
      const Bf16x8 m = mv[i % mask_vectors];
#pragma unroll
      for (int e = 0; e < kVectorElements; ++e)
        a.v[e] = __float2bfloat16(__bfloat162float(a.v[e]) + __bfloat162float(m.v[e]));
      xv[i] = a;
    }
    return;
  }
  for (std::int64_t i = begin; i < count; i += stride) {
    x[i] = __float2bfloat16(__bfloat162float(x[i]) + __bfloat162float(mask[i % mask_elements]));
  }
}

// softmax(..., dtype=float32) on bf16 input: PyTorch first makes a full fp32 copy (SoftMax.cpp:
// only Half takes the fused half-to-float path), then runs the fp32 softmax into a new tensor.
__global__ void bf16_to_fp32_kernel(const bf16* __restrict__ x, float* __restrict__ y, std::int64_t count) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  const std::int64_t vectors = count / kVectorElements;
  const auto* xv = reinterpret_cast<const Bf16x8*>(x);
  auto* yv = reinterpret_cast<float4*>(y);
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < vectors; i += stride) {
    const Bf16x8 a = xv[i];
    yv[2 * i] = make_float4(__bfloat162float(a.v[0]), __bfloat162float(a.v[1]), __bfloat162float(a.v[2]),
                            __bfloat162float(a.v[3]));
    yv[2 * i + 1] = make_float4(__bfloat162float(a.v[4]), __bfloat162float(a.v[5]), __bfloat162float(a.v[6]),
                                __bfloat162float(a.v[7]));
  }
  for (std::int64_t i = vectors * kVectorElements + blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
       i < count; i += stride) {
    y[i] = __bfloat162float(x[i]);
  }
}

__global__ void fp32_to_bf16_kernel(const float* __restrict__ x, bf16* __restrict__ y, std::int64_t count) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  const std::int64_t vectors = count / kVectorElements;
  const auto* xv = reinterpret_cast<const float4*>(x);
  auto* yv = reinterpret_cast<Bf16x8*>(y);
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < vectors; i += stride) {
    const float4 a = xv[2 * i];
    const float4 b = xv[2 * i + 1];
    Bf16x8 r;
    r.v[0] = __float2bfloat16(a.x);
    r.v[1] = __float2bfloat16(a.y);
    r.v[2] = __float2bfloat16(a.z);
    r.v[3] = __float2bfloat16(a.w);
    r.v[4] = __float2bfloat16(b.x);
    r.v[5] = __float2bfloat16(b.y);
    r.v[6] = __float2bfloat16(b.z);
    r.v[7] = __float2bfloat16(b.w);
    yv[i] = r;
  }
  for (std::int64_t i = vectors * kVectorElements + blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
       i < count; i += stride) {
    y[i] = __float2bfloat16(x[i]);
  }
}

constexpr int kSoftmaxThreads = 256;

__device__ float block_reduce(float value, bool is_max, float* scratch) {
  const int lane = threadIdx.x % 32;
  const int warp = threadIdx.x / 32;
#pragma unroll
  for (int offset = 16; offset > 0; offset /= 2) {
    const float other = __shfl_xor_sync(0xFFFFFFFFu, value, offset);
    value = is_max ? fmaxf(value, other) : value + other;
  }
  if (lane == 0) scratch[warp] = value;
  __syncthreads();
  float total = scratch[0];
  for (int w = 1; w < kSoftmaxThreads / 32; ++w) total = is_max ? fmaxf(total, scratch[w]) : total + scratch[w];
  __syncthreads();  // scratch is reused by the next reduction
  return total;
}

// One CTA per row of Nk scores: max, sum of exp, normalise (three passes over a row that stays in L1/L2).
__global__ void __launch_bounds__(kSoftmaxThreads)
    softmax_fp32_rows_kernel(const float* __restrict__ x, float* __restrict__ y, std::int64_t row_length) {
  __shared__ float scratch[kSoftmaxThreads / 32];
  const float* in = x + static_cast<std::int64_t>(blockIdx.x) * row_length;
  float* out = y + static_cast<std::int64_t>(blockIdx.x) * row_length;
  float row_max = -INFINITY;
  for (std::int64_t j = threadIdx.x; j < row_length; j += kSoftmaxThreads) row_max = fmaxf(row_max, in[j]);
  row_max = block_reduce(row_max, true, scratch);
  float row_sum = 0.0f;
  for (std::int64_t j = threadIdx.x; j < row_length; j += kSoftmaxThreads) row_sum += __expf(in[j] - row_max);
  row_sum = block_reduce(row_sum, false, scratch);
  const float inv_sum = 1.0f / row_sum;
  for (std::int64_t j = threadIdx.x; j < row_length; j += kSoftmaxThreads) out[j] = __expf(in[j] - row_max) * inv_sum;
}

// out.transpose(1, 2).contiguous(): (B, H, Nq, d) -> (B, Nq, H, d), 16 bytes at a time.
__global__ void transpose_heads_kernel(const bf16* __restrict__ src, bf16* __restrict__ dst, std::int64_t heads,
                                       std::int64_t seq, std::int64_t head_vectors, std::int64_t total_vectors) {
  const auto* s = reinterpret_cast<const Bf16x8*>(src);
  auto* t = reinterpret_cast<Bf16x8*>(dst);
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < total_vectors;
       i += stride) {
    // i indexes the destination (b, n, h, c).
    const std::int64_t c = i % head_vectors;
    const std::int64_t h = (i / head_vectors) % heads;
    const std::int64_t n = (i / (head_vectors * heads)) % seq;
    const std::int64_t b = i / (head_vectors * heads * seq);
    t[i] = s[((b * heads + h) * seq + n) * head_vectors + c];
  }
}

// transformers' causal mask: 0 where visible, torch.finfo(bf16).min where not (not -inf, so a
// fully masked row would still give finite numbers); bottom-right aligned like attnsim's.
__global__ void build_causal_mask_kernel(bf16* mask, std::int64_t seq_q, std::int64_t seq_kv) {
  const std::int64_t count = seq_q * seq_kv;
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < count; e += stride) {
    const std::int64_t i = e / seq_kv;
    const std::int64_t j = e % seq_kv;
    mask[e] = j <= i + (seq_kv - seq_q) ? __float2bfloat16(0.0f) : __ushort_as_bfloat16(0xFF7F);  // bf16 lowest
  }
}

// Row-major C (M x N) = A (M x K) * op(B): cuBLAS is column-major, so each product is issued as
// C^T = op(B)^T A^T, which reads the same bytes without any transpose.
struct EagerPlan {
  AttentionShape shape;
  DeviceTensors tensors;
  cublasHandle_t cublas;
  const bf16* k_heads;   // (B, H, Nk, d): K itself, or its repeat_kv copy
  const bf16* v_heads;   // (B, H, Nk, d)
  bf16* scores;          // (B, H, Nq, Nk) bf16: Q K^T, scaled and masked in place; later P
  float* scores_fp32;    // (B, H, Nq, Nk) fp32 copy of the scores
  float* probs_fp32;     // (B, H, Nq, Nk) fp32 softmax output
  const bf16* mask;      // (Nq, Nk) additive, or nullptr
  bf16* attn_out;        // (B, H, Nq, d): P V before the transpose
  const bf16* k_source;  // (B, Hkv, Nk, d) for repeat_kv
  const bf16* v_source;
  bf16* k_heads_out;  // repeat_kv's destinations (GQA only), the same memory as k_heads / v_heads
  bf16* v_heads_out;
};

void run_eager(const EagerPlan& p, cudaStream_t stream) {
  const AttentionShape& s = p.shape;
  const std::int64_t scores = s.score_elements();
  const std::int64_t d = s.head_dim;
  const int batch_heads = static_cast<int>(s.batch * s.heads);
  const float one = 1.0f;
  const float zero = 0.0f;
  CUBLAS_CHECK(cublasSetStream(p.cublas, stream));

  if (s.kv_heads != s.heads) {
    const std::int64_t head_vectors = s.seq_kv * d / kVectorElements;
    const std::int64_t total = s.batch * s.heads * head_vectors;
    repeat_kv_kernel<<<elementwise_blocks(total), kElementwiseThreads, 0, stream>>>(p.k_source, p.k_heads_out,
                                                                                    head_vectors, s.group(), total);
    CUDA_CHECK_LAUNCH();
    repeat_kv_kernel<<<elementwise_blocks(total), kElementwiseThreads, 0, stream>>>(p.v_source, p.v_heads_out,
                                                                                    head_vectors, s.group(), total);
    CUDA_CHECK_LAUNCH();
  }
  // scores (Nq x Nk, row-major) = Q (Nq x d) K^T  <=>  scores^T (Nk x Nq, col-major) = K Q^T.
  CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      p.cublas, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(s.seq_kv), static_cast<int>(s.seq_q), static_cast<int>(d),
      &one, p.k_heads, CUDA_R_16BF, static_cast<int>(d), s.seq_kv * d, p.tensors.q, CUDA_R_16BF, static_cast<int>(d),
      s.seq_q * d, &zero, p.scores, CUDA_R_16BF, static_cast<int>(s.seq_kv), s.seq_q * s.seq_kv, batch_heads,
      CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  scale_bf16_kernel<<<elementwise_blocks(scores / kVectorElements + 1), kElementwiseThreads, 0, stream>>>(
      p.scores, scores, static_cast<float>(softmax_scale(s)));
  CUDA_CHECK_LAUNCH();
  if (p.mask != nullptr) {
    add_mask_bf16_kernel<<<elementwise_blocks(scores / kVectorElements + 1), kElementwiseThreads, 0, stream>>>(
        p.scores, p.mask, scores, s.seq_q * s.seq_kv);
    CUDA_CHECK_LAUNCH();
  }
  bf16_to_fp32_kernel<<<elementwise_blocks(scores / kVectorElements + 1), kElementwiseThreads, 0, stream>>>(
      p.scores, p.scores_fp32, scores);
  CUDA_CHECK_LAUNCH();
  const std::int64_t rows = s.batch * s.heads * s.seq_q;
  softmax_fp32_rows_kernel<<<static_cast<unsigned>(rows), kSoftmaxThreads, 0, stream>>>(p.scores_fp32, p.probs_fp32,
                                                                                        s.seq_kv);
  CUDA_CHECK_LAUNCH();
  // .to(bf16) into the bf16 scores buffer, which PyTorch would have freed and handed out again.
  fp32_to_bf16_kernel<<<elementwise_blocks(scores / kVectorElements + 1), kElementwiseThreads, 0, stream>>>(
      p.probs_fp32, p.scores, scores);
  CUDA_CHECK_LAUNCH();
  // out (Nq x d) = P (Nq x Nk) V (Nk x d)  <=>  out^T (d x Nq) = V^T P^T, both already col-major views.
  CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      p.cublas, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(d), static_cast<int>(s.seq_q), static_cast<int>(s.seq_kv),
      &one, p.v_heads, CUDA_R_16BF, static_cast<int>(d), s.seq_kv * d, p.scores, CUDA_R_16BF,
      static_cast<int>(s.seq_kv), s.seq_q * s.seq_kv, &zero, p.attn_out, CUDA_R_16BF, static_cast<int>(d), s.seq_q * d,
      batch_heads, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  const std::int64_t head_vectors = d / kVectorElements;
  const std::int64_t total = s.o_elements() / kVectorElements;
  transpose_heads_kernel<<<elementwise_blocks(total), kElementwiseThreads, 0, stream>>>(
      p.attn_out, p.tensors.o, s.heads, s.seq_q, head_vectors, total);
  CUDA_CHECK_LAUNCH();
}

}  // namespace

AttentionPath prepare_eager(const AttentionShape& s, const DeviceTensors& tensors, cublasHandle_t cublas) {
  if (s.seq_q > INT32_MAX || s.seq_kv > INT32_MAX) throw std::invalid_argument("--seq: cuBLAS dimensions are 32-bit");
  AttentionPath path;
  path.output_layout = OutputLayout::bnhd;
  const auto scores = static_cast<std::size_t>(s.score_elements());
  EagerPlan plan{s,       tensors, cublas,  tensors.k, tensors.v, nullptr, nullptr,
                 nullptr, nullptr, nullptr, tensors.k, tensors.v, nullptr, nullptr};

  // Workspace, in the order PyTorch would hold it at the softmax step (bf16 scores, fp32 copy, fp32
  // output: 10 bytes per score, attnsim's eager forward peak), plus repeat_kv's copies under GQA.
  if (s.kv_heads != s.heads) {
    const auto kv_bytes = static_cast<std::size_t>(s.batch * s.heads * s.seq_kv * s.head_dim) * sizeof(bf16);
    path.workspace.emplace_back(kv_bytes);
    plan.k_heads_out = path.workspace.back().as<bf16>();
    plan.k_heads = plan.k_heads_out;
    path.workspace.emplace_back(kv_bytes);
    plan.v_heads_out = path.workspace.back().as<bf16>();
    plan.v_heads = plan.v_heads_out;
  }
  path.workspace.emplace_back(scores * sizeof(bf16));
  plan.scores = path.workspace.back().as<bf16>();
  path.workspace.emplace_back(scores * sizeof(float));
  plan.scores_fp32 = path.workspace.back().as<float>();
  path.workspace.emplace_back(scores * sizeof(float));
  plan.probs_fp32 = path.workspace.back().as<float>();
  // P V's output before the transpose reuses the fp32 copy, dead by then, when it fits (Nk >= d/2).
  const auto attn_out_bytes = static_cast<std::size_t>(s.o_elements()) * sizeof(bf16);
  if (attn_out_bytes <= scores * sizeof(float)) {
    plan.attn_out = reinterpret_cast<bf16*>(plan.scores_fp32);
  } else {
    path.workspace.emplace_back(attn_out_bytes);
    plan.attn_out = path.workspace.back().as<bf16>();
  }
  if (s.causal) {
    path.prebuilt.emplace_back(static_cast<std::size_t>(s.seq_q * s.seq_kv) * sizeof(bf16));
    bf16* mask = path.prebuilt.back().as<bf16>();
    build_causal_mask_kernel<<<elementwise_blocks(s.seq_q * s.seq_kv), kElementwiseThreads>>>(mask, s.seq_q, s.seq_kv);
    CUDA_CHECK_LAUNCH();
    CUDA_CHECK(cudaDeviceSynchronize());
    plan.mask = mask;
  }
  path.run = [plan](cudaStream_t stream) { run_eager(plan, stream); };
  return path;
}

}  // namespace attnsim::bench

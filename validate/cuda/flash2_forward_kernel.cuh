// The FlashAttention-2 forward kernel (Dao 2023, arXiv 2307.08691, Algorithm 1), written plainly:
//  - one CTA per block of BM query rows; grid x = query blocks (fastest), grid y = B * H;
//  - 4 warps, each owning BM/4 query rows (16 or 32: one or two m16 tiles), so the softmax
//    statistics of a row never leave its warp (FA2's "split Q" instead of FA1's "split K");
//  - loop over key blocks of BN rows: S = Q K^T (mma.sync), online softmax in fp32 (exp2 with the
//    scale folded into log2 e), P converted to bf16 in registers and O += P V (mma.sync);
//  - causal: key blocks entirely above the diagonal are never visited; only blocks that cross the
//    diagonal or the end of K are masked element by element;
//  - O normalised once at the end, logsumexp written (natural log) for a backward pass.
// Copies are cp.async (16 bytes, zero-filled past the tensor's end); V[j] streams in while S[j] is
// computed and K[j+1] while softmax and P V run, with one buffer each for K and V.
#pragma once

#include <cuda_bf16.h>

#include <cstdint>

#include "mma_ptx.cuh"

namespace attnsim::bench {

struct Flash2Params {
  const __nv_bfloat16* q;  // (B, H, Nq, d)
  const __nv_bfloat16* k;  // (B, Hkv, Nk, d)
  const __nv_bfloat16* v;  // (B, Hkv, Nk, d)
  __nv_bfloat16* o;        // (B, H, Nq, d)
  float* lse;              // (B, H, Nq)
  int heads;
  int kv_heads;
  int seq_q;
  int seq_kv;
  float scale_log2;  // softmax scale * log2(e): exp(x * scale) = 2^(x * scale_log2)
  bool causal;
};

template <int kHeadDim, int kBlockM, int kBlockN>
struct Flash2Traits {
  static constexpr int kWarps = 4;
  static constexpr int kThreads = 32 * kWarps;
  static constexpr int kRowsPerWarp = kBlockM / kWarps;  // 16 or 32
  static constexpr int kMTiles = kRowsPerWarp / 16;      // m16 tiles per warp
  static constexpr int kScoreNTiles = kBlockN / 8;       // n8 tiles of S per m16 tile
  static constexpr int kOutNTiles = kHeadDim / 8;        // n8 tiles of O per m16 tile
  // 16 bytes of padding per row: consecutive rows start 16 bytes apart modulo 128, so the eight
  // row addresses of an ldmatrix hit eight different bank groups (no conflicts, no swizzle).
  static constexpr int kSmemRowElements = kHeadDim + 8;
  static constexpr int kSmemBytes = (kBlockM + 2 * kBlockN) * kSmemRowElements * 2;
  static_assert(kBlockM % 64 == 0 && kBlockN % 16 == 0 && kHeadDim % 16 == 0, "tile shape");
};

// rows x kHeadDim bf16 from global (row stride kHeadDim) to shared (row stride kSmemRowElements);
// rows at or past `valid_rows` are zero-filled. The source address stays inside the tensor even
// when nothing is read from it.
template <int kRows, int kHeadDim, int kThreads>
__device__ __forceinline__ void load_tile_async(__nv_bfloat16* shared, const __nv_bfloat16* global, int valid_rows) {
  constexpr int kChunksPerRow = kHeadDim / 8;  // 16-byte chunks
  constexpr int kChunks = kRows * kChunksPerRow;
  static_assert(kChunks % kThreads == 0, "every thread copies the same number of chunks");
#pragma unroll
  for (int i = 0; i < kChunks / kThreads; ++i) {
    const int chunk = i * kThreads + static_cast<int>(threadIdx.x);
    const int row = chunk / kChunksPerRow;
    const int col = (chunk % kChunksPerRow) * 8;
    const bool valid = row < valid_rows;
    const __nv_bfloat16* source = valid ? global + static_cast<std::int64_t>(row) * kHeadDim + col : global;
    ptx::cp_async_16(shared + row * (kHeadDim + 8) + col, source, valid);
  }
}

template <int kHeadDim, int kBlockM, int kBlockN>
__global__ void __launch_bounds__(128) flash2_forward_kernel(const Flash2Params p) {
  using Traits = Flash2Traits<kHeadDim, kBlockM, kBlockN>;
  constexpr int kStride = Traits::kSmemRowElements;
  constexpr int kMTiles = Traits::kMTiles;
  constexpr int kScoreNTiles = Traits::kScoreNTiles;
  constexpr int kOutNTiles = Traits::kOutNTiles;
  constexpr float kLn2 = 0.6931471805599453f;

  extern __shared__ __align__(16) unsigned char shared_raw[];
  auto* sQ = reinterpret_cast<__nv_bfloat16*>(shared_raw);  // (BM, d), later the O tile
  __nv_bfloat16* sK = sQ + kBlockM * kStride;               // (BN, d)
  __nv_bfloat16* sV = sK + kBlockN * kStride;               // (BN, d)

  const int m_block = static_cast<int>(blockIdx.x);
  const int batch_head = static_cast<int>(blockIdx.y);  // b * H + h
  const int batch = batch_head / p.heads;
  const int head = batch_head % p.heads;
  const int kv_head = head / (p.heads / p.kv_heads);
  const int warp = static_cast<int>(threadIdx.x) / 32;
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const int group = lane / 4;  // fragment row within an 8-row half
  const int quad = lane % 4;   // fragment column pair

  const int m_start = m_block * kBlockM;
  const __nv_bfloat16* q = p.q + (static_cast<std::int64_t>(batch_head) * p.seq_q + m_start) * kHeadDim;
  const std::int64_t kv_offset = static_cast<std::int64_t>(batch * p.kv_heads + kv_head) * p.seq_kv * kHeadDim;
  const __nv_bfloat16* k = p.k + kv_offset;
  const __nv_bfloat16* v = p.v + kv_offset;
  // Bottom-right causal: query i sees keys j <= i + (Nk - Nq). The block's last row bounds its keys.
  const int diagonal_shift = p.seq_kv - p.seq_q;
  const int key_end = p.causal ? min(p.seq_kv, m_start + kBlockM + diagonal_shift) : p.seq_kv;
  const int n_blocks = key_end > 0 ? (key_end + kBlockN - 1) / kBlockN : 0;

  load_tile_async<kBlockM, kHeadDim, Traits::kThreads>(sQ, q, p.seq_q - m_start);
  if (n_blocks > 0) load_tile_async<kBlockN, kHeadDim, Traits::kThreads>(sK, k, p.seq_kv);
  ptx::cp_async_commit();

  float acc_o[kMTiles][kOutNTiles][4];
  float row_max[kMTiles][2];  // running max of scores * scale_log2, rows g and g+8
  float row_sum[kMTiles][2];  // this thread's part of the running sum of 2^(s - max)
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt) {
#pragma unroll
    for (int nt = 0; nt < kOutNTiles; ++nt) {
#pragma unroll
      for (int e = 0; e < 4; ++e) acc_o[mt][nt][e] = 0.0f;
    }
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      row_max[mt][r] = -INFINITY;
      row_sum[mt][r] = 0.0f;
    }
  }
  const int warp_row0 = warp * Traits::kRowsPerWarp;  // first row of this warp within the block

  for (int n_block = 0; n_block < n_blocks; ++n_block) {
    const int n_start = n_block * kBlockN;
    load_tile_async<kBlockN, kHeadDim, Traits::kThreads>(sV, v + static_cast<std::int64_t>(n_start) * kHeadDim,
                                                         p.seq_kv - n_start);
    ptx::cp_async_commit();
    ptx::cp_async_wait<1>();  // Q and K[n_block] have landed (this thread's copies) ...
    __syncthreads();          // ... and everyone's

    // S = Q K^T for this warp's rows: (16 * kMTiles) x BN, fp32 in registers.
    float acc_s[kMTiles][kScoreNTiles][4];
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt) {
#pragma unroll
      for (int nt = 0; nt < kScoreNTiles; ++nt) {
#pragma unroll
        for (int e = 0; e < 4; ++e) acc_s[mt][nt][e] = 0.0f;
      }
    }
#pragma unroll
    for (int ks = 0; ks < kHeadDim / 16; ++ks) {
      std::uint32_t a[kMTiles][4];
#pragma unroll
      for (int mt = 0; mt < kMTiles; ++mt) {
        ptx::ldmatrix_x4(a[mt], sQ + (warp_row0 + mt * 16 + lane % 16) * kStride + ks * 16 + (lane / 16) * 8);
      }
#pragma unroll
      for (int np = 0; np < kBlockN / 16; ++np) {
        std::uint32_t b[4];  // b[0], b[1]: keys np*16 + 0..7; b[2], b[3]: keys np*16 + 8..15
        ptx::ldmatrix_x4(b, sK + (np * 16 + lane % 8 + (lane / 16) * 8) * kStride + ks * 16 + ((lane / 8) % 2) * 8);
#pragma unroll
        for (int mt = 0; mt < kMTiles; ++mt) {
          ptx::mma_m16n8k16_bf16(acc_s[mt][2 * np], a[mt], b[0], b[1]);
          ptx::mma_m16n8k16_bf16(acc_s[mt][2 * np + 1], a[mt], b[2], b[3]);
        }
      }
    }
    __syncthreads();  // every warp is done with sK: the next K tile may overwrite it
    if (n_block + 1 < n_blocks) {
      load_tile_async<kBlockN, kHeadDim, Traits::kThreads>(
          sK, k + static_cast<std::int64_t>(n_start + kBlockN) * kHeadDim, p.seq_kv - n_start - kBlockN);
    }
    ptx::cp_async_commit();  // committed even when empty, so that the wait below counts the same

    // Mask only where needed: past the end of K, or (causal) a block crossing the diagonal.
    const bool past_end = n_start + kBlockN > p.seq_kv;
    const bool crosses_diagonal = p.causal && n_start + kBlockN - 1 > m_start + diagonal_shift;
    if (past_end || crosses_diagonal) {
#pragma unroll
      for (int mt = 0; mt < kMTiles; ++mt) {
#pragma unroll
        for (int nt = 0; nt < kScoreNTiles; ++nt) {
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            const int row = m_start + warp_row0 + mt * 16 + group + (e / 2) * 8;
            const int col = n_start + nt * 8 + quad * 2 + e % 2;
            if (col >= p.seq_kv || (p.causal && col > row + diagonal_shift)) acc_s[mt][nt][e] = -INFINITY;
          }
        }
      }
    }

    // Online softmax: new row max, rescale the running sum and O, exponentiate S in place.
#pragma unroll
    for (int mt = 0; mt < kMTiles; ++mt) {
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        float block_max = -INFINITY;
#pragma unroll
        for (int nt = 0; nt < kScoreNTiles; ++nt) {
          block_max = fmaxf(block_max, fmaxf(acc_s[mt][nt][2 * r], acc_s[mt][nt][2 * r + 1]));
        }
        // The four lanes of a quad hold the same row.
        block_max = fmaxf(block_max, __shfl_xor_sync(0xFFFFFFFFu, block_max, 1));
        block_max = fmaxf(block_max, __shfl_xor_sync(0xFFFFFFFFu, block_max, 2));
        const float new_max = fmaxf(row_max[mt][r], block_max * p.scale_log2);
        // A row with no visible key yet keeps max -inf; subtract 0 then, never -inf - -inf = NaN.
        const float subtract = new_max == -INFINITY ? 0.0f : new_max;
        const float correction = ptx::exp2_approx(row_max[mt][r] - subtract);
        row_max[mt][r] = new_max;
        float sum = 0.0f;
#pragma unroll
        for (int nt = 0; nt < kScoreNTiles; ++nt) {
#pragma unroll
          for (int c = 0; c < 2; ++c) {
            const float prob = ptx::exp2_approx(fmaf(acc_s[mt][nt][2 * r + c], p.scale_log2, -subtract));
            acc_s[mt][nt][2 * r + c] = prob;
            sum += prob;
          }
        }
        row_sum[mt][r] = row_sum[mt][r] * correction + sum;
#pragma unroll
        for (int nt = 0; nt < kOutNTiles; ++nt) {
          acc_o[mt][nt][2 * r] *= correction;
          acc_o[mt][nt][2 * r + 1] *= correction;
        }
      }
    }

    ptx::cp_async_wait<1>();  // V[n_block] has landed (K[n_block + 1] may still be in flight)
    __syncthreads();

    // O += P V. The fp32 accumulators of two adjacent n8 tiles of S are exactly the A fragment of
    // one k16 step of P (FA2's register reuse), so P never touches shared memory.
#pragma unroll
    for (int kk = 0; kk < kBlockN / 16; ++kk) {
      std::uint32_t a[kMTiles][4];
#pragma unroll
      for (int mt = 0; mt < kMTiles; ++mt) {
        a[mt][0] = ptx::pack_bf16x2(acc_s[mt][2 * kk][0], acc_s[mt][2 * kk][1]);
        a[mt][1] = ptx::pack_bf16x2(acc_s[mt][2 * kk][2], acc_s[mt][2 * kk][3]);
        a[mt][2] = ptx::pack_bf16x2(acc_s[mt][2 * kk + 1][0], acc_s[mt][2 * kk + 1][1]);
        a[mt][3] = ptx::pack_bf16x2(acc_s[mt][2 * kk + 1][2], acc_s[mt][2 * kk + 1][3]);
      }
#pragma unroll
      for (int dp = 0; dp < kHeadDim / 16; ++dp) {
        std::uint32_t b[4];  // b[0], b[1]: dims dp*16 + 0..7; b[2], b[3]: dims dp*16 + 8..15
        ptx::ldmatrix_x4_trans(b,
                               sV + (kk * 16 + lane % 8 + ((lane / 8) % 2) * 8) * kStride + dp * 16 + (lane / 16) * 8);
#pragma unroll
        for (int mt = 0; mt < kMTiles; ++mt) {
          ptx::mma_m16n8k16_bf16(acc_o[mt][2 * dp], a[mt], b[0], b[1]);
          ptx::mma_m16n8k16_bf16(acc_o[mt][2 * dp + 1], a[mt], b[2], b[3]);
        }
      }
    }
    __syncthreads();  // every warp is done with sV: the next V tile may overwrite it
  }

  // Epilogue: O / l, logsumexp, and O staged through shared memory (the Q tile is dead) so that the
  // global stores are 16 bytes wide.
  ptx::cp_async_wait<0>();
  __syncthreads();
#pragma unroll
  for (int mt = 0; mt < kMTiles; ++mt) {
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      float sum = row_sum[mt][r];
      sum += __shfl_xor_sync(0xFFFFFFFFu, sum, 1);
      sum += __shfl_xor_sync(0xFFFFFFFFu, sum, 2);
      const float inverse = sum > 0.0f ? 1.0f / sum : 0.0f;  // no visible key: O = 0
      const int local_row = warp_row0 + mt * 16 + group + r * 8;
      const int row = m_start + local_row;
      if (quad == 0 && row < p.seq_q) {
        p.lse[static_cast<std::int64_t>(batch_head) * p.seq_q + row] =
            sum > 0.0f ? row_max[mt][r] * kLn2 + logf(sum) : -INFINITY;
      }
#pragma unroll
      for (int nt = 0; nt < kOutNTiles; ++nt) {
        *reinterpret_cast<std::uint32_t*>(sQ + local_row * kStride + nt * 8 + quad * 2) =
            ptx::pack_bf16x2(acc_o[mt][nt][2 * r] * inverse, acc_o[mt][nt][2 * r + 1] * inverse);
      }
    }
  }
  __syncthreads();
  constexpr int kChunksPerRow = kHeadDim / 8;
  __nv_bfloat16* o = p.o + (static_cast<std::int64_t>(batch_head) * p.seq_q + m_start) * kHeadDim;
#pragma unroll
  for (int i = 0; i < kBlockM * kChunksPerRow / Traits::kThreads; ++i) {
    const int chunk = i * Traits::kThreads + static_cast<int>(threadIdx.x);
    const int row = chunk / kChunksPerRow;
    const int col = (chunk % kChunksPerRow) * 8;
    if (m_start + row < p.seq_q) {
      *reinterpret_cast<uint4*>(o + static_cast<std::int64_t>(row) * kHeadDim + col) =
          *reinterpret_cast<const uint4*>(sQ + row * kStride + col);
    }
  }
}

// Launches one instantiation; defined in flash2_forward_d64.cu / _d128.cu so the two head dims
// compile in parallel.
template <int kHeadDim, int kBlockM, int kBlockN>
void launch_flash2_forward(const Flash2Params& params, int batch_heads, cudaStream_t stream);

}  // namespace attnsim::bench

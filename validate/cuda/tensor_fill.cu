#include "tensor_fill.h"

#include "cuda_check.h"

namespace attnsim::bench {
namespace {

// splitmix64 (Steele, Lea, Flood 2014): a full-avalanche 64-bit mix, so consecutive indices give
// independent-looking bits.
__device__ std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// Box-Muller on two 24-bit uniforms from one hash: N(0, 1), like torch.randn.
__global__ void fill_random_normal_kernel(bf16* data, std::int64_t count, std::uint64_t seed) {
  const std::int64_t stride = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
  for (std::int64_t i = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; i < count; i += stride) {
    const std::uint64_t bits = splitmix64(seed * 0xD1B54A32D192ED03ull + static_cast<std::uint64_t>(i));
    const float u1 = (static_cast<float>(bits >> 40) + 1.0f) * 0x1p-24f;  // (0, 1]: log stays finite
    const float u2 = static_cast<float>((bits >> 16) & 0xFFFFFFu) * 0x1p-24f;
    data[i] = __float2bfloat16(sqrtf(-2.0f * logf(u1)) * cospif(2.0f * u2));
  }
}

}  // namespace

void fill_random_normal_bf16(bf16* data, std::int64_t count, std::uint64_t seed, cudaStream_t stream) {
  if (count <= 0) return;
  constexpr int kThreads = 256;
  constexpr std::int64_t kMaxBlocks = 65536;  // grid-stride beyond this
  const std::int64_t blocks = std::min<std::int64_t>(kMaxBlocks, (count + kThreads - 1) / kThreads);
  fill_random_normal_kernel<<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(data, count, seed);
  CUDA_CHECK_LAUNCH();
}

void poison_with_nan(void* data, std::size_t bytes, cudaStream_t stream) {
  if (bytes > 0) CUDA_CHECK(cudaMemsetAsync(data, 0xFF, bytes, stream));
}

}  // namespace attnsim::bench

#include "attention_inputs.h"

#include "cuda_check.h"
#include "tensor_fill.h"

namespace attnsim::bench {

AttentionInputs::AttentionInputs(const AttentionShape& s, std::uint64_t seed, cudaStream_t stream)
    : q_(static_cast<std::size_t>(s.q_elements()) * sizeof(bf16)),
      k_(static_cast<std::size_t>(s.kv_elements()) * sizeof(bf16)),
      v_(static_cast<std::size_t>(s.kv_elements()) * sizeof(bf16)),
      o_(static_cast<std::size_t>(s.o_elements()) * sizeof(bf16)) {
  // Three different streams of numbers: Q, K and V must not be equal (Q = K would favour the diagonal).
  fill_random_normal_bf16(q_.as<bf16>(), s.q_elements(), 3 * seed + 0, stream);
  fill_random_normal_bf16(k_.as<bf16>(), s.kv_elements(), 3 * seed + 1, stream);
  fill_random_normal_bf16(v_.as<bf16>(), s.kv_elements(), 3 * seed + 2, stream);
  CUDA_CHECK(cudaStreamSynchronize(stream));
}

std::vector<std::uint16_t> copy_to_host_bits(const DeviceBytes& buffer) {
  std::vector<std::uint16_t> bits(buffer.bytes() / sizeof(std::uint16_t));
  CUDA_CHECK(cudaMemcpy(bits.data(), buffer.as<void>(), buffer.bytes(), cudaMemcpyDeviceToHost));
  return bits;
}

std::vector<std::uint16_t> AttentionInputs::copy_q() const { return copy_to_host_bits(q_); }
std::vector<std::uint16_t> AttentionInputs::copy_k() const { return copy_to_host_bits(k_); }
std::vector<std::uint16_t> AttentionInputs::copy_v() const { return copy_to_host_bits(v_); }

}  // namespace attnsim::bench

// Q, K, V (random normal bf16, filled on the device) and O for one shape; the grid shares one set
// among all backends of a shape. Throws CudaOutOfMemory when they do not fit.
#pragma once

#include <cstdint>
#include <vector>

#include "attention_path.h"
#include "attention_shape.h"

namespace attnsim::bench {

class AttentionInputs {
 public:
  AttentionInputs(const AttentionShape& shape, std::uint64_t seed, cudaStream_t stream);
  DeviceTensors tensors() const { return {q_.as<bf16>(), k_.as<bf16>(), v_.as<bf16>(), o_.as<bf16>()}; }
  const DeviceBytes& output() const { return o_; }
  // Host copies of the inputs as bf16 bit patterns, for the CPU reference.
  std::vector<std::uint16_t> copy_q() const;
  std::vector<std::uint16_t> copy_k() const;
  std::vector<std::uint16_t> copy_v() const;

 private:
  DeviceBytes q_, k_, v_, o_;
};

std::vector<std::uint16_t> copy_to_host_bits(const DeviceBytes& buffer);

}  // namespace attnsim::bench

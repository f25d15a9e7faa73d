#include "device_memory.h"

#include <cuda_runtime.h>

#include "cuda_check.h"

namespace attnsim::bench {

DeviceBytes::DeviceBytes(std::size_t bytes) : bytes_(bytes) {
  if (bytes > 0) CUDA_CHECK(cudaMalloc(&ptr_, bytes));
}

DeviceBytes::~DeviceBytes() {
  if (ptr_ != nullptr) (void)cudaFree(ptr_);  // a destructor must not throw
}

DeviceBytes& DeviceBytes::operator=(DeviceBytes&& other) noexcept {
  if (this != &other) {
    if (ptr_ != nullptr) (void)cudaFree(ptr_);
    ptr_ = std::exchange(other.ptr_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

}  // namespace attnsim::bench

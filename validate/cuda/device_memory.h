// Owning device allocation (cudaMalloc / cudaFree). Every buffer a kernel path needs is one of
// these, allocated before timing, so that the bytes a path allocates can be summed exactly.
#pragma once

#include <cstddef>
#include <utility>

namespace attnsim::bench {

class DeviceBytes {
 public:
  DeviceBytes() = default;
  explicit DeviceBytes(std::size_t bytes);  // throws CudaOutOfMemory when it does not fit
  ~DeviceBytes();
  DeviceBytes(DeviceBytes&& other) noexcept
      : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  DeviceBytes& operator=(DeviceBytes&& other) noexcept;
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;

  template <class T>
  T* as() const {
    return static_cast<T*>(ptr_);
  }
  std::size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace attnsim::bench

// One checker for every CUDA runtime and cuBLAS call: a failure names the call and file:line.
// Out-of-memory is its own type, because a grid point that does not fit is a result (`oom`), not a
// failure of the program.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <stdexcept>

namespace attnsim::bench {

class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CudaOutOfMemory : public CudaError {
 public:
  using CudaError::CudaError;
};

[[noreturn]] void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line);

inline void cuda_check(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) throw_cuda_error(status, call, file, line);
}
inline void cublas_check(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) throw_cublas_error(status, call, file, line);
}

}  // namespace attnsim::bench

#define CUDA_CHECK(call) ::attnsim::bench::cuda_check((call), #call, __FILE__, __LINE__)
#define CUBLAS_CHECK(call) ::attnsim::bench::cublas_check((call), #call, __FILE__, __LINE__)
// After every kernel launch: a bad launch configuration shows up here, not three calls later.
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())

#include "cuda_check.h"

#include <string>

namespace attnsim::bench {

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  const std::string what = std::string(file) + ":" + std::to_string(line) + ": " + call +
                           " failed: " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")";
  if (status == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // an allocation failure is not sticky: clear it so the next point starts clean
    throw CudaOutOfMemory(what);
  }
  throw CudaError(what);
}

void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line) {
  const std::string what = std::string(file) + ":" + std::to_string(line) + ": " + call + " failed: cuBLAS status " +
                           std::to_string(static_cast<int>(status));
  if (status == CUBLAS_STATUS_ALLOC_FAILED) throw CudaOutOfMemory(what);
  throw CudaError(what);
}

}  // namespace attnsim::bench

// The columns that say where a row was measured: GPU name and SM count (cudaGetDeviceProperties),
// driver version (NVML, as the PyTorch run reports it), CUDA runtime version.
#pragma once

#include <string>

namespace attnsim::bench {

struct GpuEnvironment {
  std::string gpu_name;
  int sm_count = 0;
  std::string driver;        // "580.159.04"
  std::string cuda_version;  // "13.0" (the runtime this program was built against and runs)
  int compute_capability_major = 0;
  int compute_capability_minor = 0;
  long long l2_bytes = 0;
  long long global_memory_bytes = 0;
};

GpuEnvironment read_gpu_environment(int device);

}  // namespace attnsim::bench

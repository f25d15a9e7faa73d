#include "gpu_environment.h"

#include <cuda_runtime.h>
#include <dlfcn.h>

#include <fstream>
#include <sstream>

#include "cuda_check.h"

namespace attnsim::bench {
namespace {

// NVML is opened at run time (it ships with the driver, not the toolkit), so the program links and
// runs where it is missing; the driver version then comes from /proc, or stays "unknown".
std::string driver_version_from_nvml() {
  void* nvml = dlopen("libnvidia-ml.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (nvml == nullptr) return "";
  using InitFn = int (*)();
  using VersionFn = int (*)(char*, unsigned);
  auto init = reinterpret_cast<InitFn>(dlsym(nvml, "nvmlInit_v2"));
  auto version = reinterpret_cast<VersionFn>(dlsym(nvml, "nvmlSystemGetDriverVersion"));
  std::string result;
  char buffer[96] = {};
  if (init != nullptr && version != nullptr && init() == 0 && version(buffer, sizeof buffer) == 0) result = buffer;
  // nvmlShutdown is left out on purpose: the library stays loaded for the process's life anyway.
  return result;
}

std::string driver_version_from_proc() {
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Thu ..."
  std::ifstream in("/proc/driver/nvidia/version");
  std::string word, previous;
  while (in >> word) {
    if (previous == "Module") return word;
    previous = word;
  }
  return "";
}

}  // namespace

GpuEnvironment read_gpu_environment(int device) {
  cudaDeviceProp props{};
  CUDA_CHECK(cudaGetDeviceProperties(&props, device));
  GpuEnvironment env;
  env.gpu_name = props.name;
  env.sm_count = props.multiProcessorCount;
  env.compute_capability_major = props.major;
  env.compute_capability_minor = props.minor;
  env.l2_bytes = props.l2CacheSize;
  env.global_memory_bytes = static_cast<long long>(props.totalGlobalMem);
  env.driver = driver_version_from_nvml();
  if (env.driver.empty()) env.driver = driver_version_from_proc();
  if (env.driver.empty()) env.driver = "unknown";
  int runtime = 0;
  CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
  std::ostringstream version;
  version << runtime / 1000 << "." << (runtime % 1000) / 10;
  env.cuda_version = version.str();
  return env;
}

}  // namespace attnsim::bench

#include "model/efficiency.h"

namespace attnsim {

std::string arch_family(const Gpu& gpu) {
  const int major = gpu.compute_capability_major;
  const int minor = gpu.compute_capability_minor;
  if (major == 8) return minor == 0 ? "sm80" : "sm8x";
  return "sm" + std::to_string(major * 10 + minor);
}

Efficiency efficiency_for(const Gpu& gpu, std::string_view variant_id, const std::vector<ArchEfficiency>& table,
                          std::optional<TensorPath> path) {
  const std::string family = arch_family(gpu);
  Efficiency result = table.front().efficiency;
  for (const ArchEfficiency& row : table) {
    if (row.arch_family == family) result = row.efficiency;
  }
  result.tensor_path = path;
  const auto it = gpu.efficiency_overrides.find(std::string(variant_id));
  if (it != gpu.efficiency_overrides.end()) {
    if (it->second.tensor) result.tensor = *it->second.tensor;
    if (it->second.vector) result.vector = *it->second.vector;
    if (it->second.softmax_overlap) result.softmax_overlap = *it->second.softmax_overlap;
    if (it->second.hbm) result.hbm = *it->second.hbm;
    if (it->second.launch_seconds) result.launch_seconds = *it->second.launch_seconds;
    result.source = it->second.source;
  }
  return result;
}

}  // namespace attnsim

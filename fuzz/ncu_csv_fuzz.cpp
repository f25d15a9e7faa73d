// Fuzzes the Nsight Compute CSV reader (validate/ncu_report.cpp); kernels it accepts must carry
// finite, non-negative DRAM bytes and durations.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "model/error.h"
#include "validate/ncu_report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnsim;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<NcuKernel> kernels;
  try {
    kernels = parse_ncu_csv(in, "fuzz.csv");
  } catch (const InvalidInput&) {
    return 0;
  }
  for (const NcuKernel& k : kernels) {
    fuzz::require_finite(k.dram_read_bytes, "dram_read_bytes");
    fuzz::require_finite(k.dram_write_bytes, "dram_write_bytes");
    fuzz::require_finite(k.duration_seconds, "duration_seconds");
  }
  return 0;
}

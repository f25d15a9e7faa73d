// Fuzzes the measured-run CSV reader (validate/measured_runs.cpp); rows it accepts are compared
// with predictions on the H100 profile, as `attnsim validate` does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "io/gpu_profile.h"
#include "model/error.h"
#include "validate/comparison.h"
#include "validate/measured_runs.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnsim;
  static const Gpu gpu = find_gpu("h100-sxm");
  std::vector<MeasuredRun> runs;
  try {
    runs = parse_measured_runs(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.csv");
  } catch (const InvalidInput&) {
    return 0;
  }
  try {
    const ValidationReport report = compare_runs(runs, gpu, 16384);
    for (const RunComparison& c : report.rows) fuzz::require_sane(c.prediction);
  } catch (const InvalidInput&) {
  }
  return 0;
}

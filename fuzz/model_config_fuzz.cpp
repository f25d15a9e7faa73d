// Fuzzes the model-file reader (io/model_config.cpp); a model it accepts is put through the
// capacity model on the H100 profile at a short and a long context, as `attnsim capacity` does,
// and every byte count of the breakdown must be a finite, non-negative number.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "capacity/memory.h"
#include "fuzz/fuzz_check.h"
#include "io/gpu_profile.h"
#include "io/model_config.h"
#include "model/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnsim;
  static const Gpu gpu = find_gpu("h100-sxm");
  capacity::ModelConfig model;
  try {
    model = parse_model_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  } catch (const InvalidInput&) {
    return 0;
  }
  for (const std::int64_t context : {std::int64_t{1}, std::int64_t{1} << 20}) {
    capacity::Scenario scenario;
    scenario.context = context;
    try {
      const capacity::MemoryBreakdown memory = capacity::memory_at(model, gpu, scenario);
      fuzz::require_finite(memory.total_bytes, "total_bytes");
      for (const capacity::MemoryPart& part : memory.parts) fuzz::require_finite(part.bytes, part.name.c_str());
    } catch (const InvalidInput&) {
    }
  }
  return 0;
}

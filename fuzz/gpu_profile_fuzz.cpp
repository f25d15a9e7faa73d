// Fuzzes the GPU-profile reader (io/gpu_profile.cpp) with arbitrary TOML text. A profile it accepts
// must give finite, non-negative predictions for every variant on a default workload.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "io/gpu_profile.h"
#include "model/error.h"
#include "model/variant.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnsim;
  Gpu gpu;
  try {
    gpu = parse_gpu_profile(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  } catch (const InvalidInput&) {
    return 0;
  }
  Workload causal_gqa;
  causal_gqa.kv_heads = 8;
  causal_gqa.causal = true;
  Workload decode;
  decode.seq_q = 1;
  for (const Variant& variant : all_variants()) {
    for (const Workload& w : {Workload{}, causal_gqa, decode}) {
      try {
        fuzz::require_sane(predict(w, gpu, variant, {}));
      } catch (const InvalidInput&) {
        // a tile that does not fit this GPU, a dtype it lacks: refused with a message
      }
    }
  }
  return 0;
}

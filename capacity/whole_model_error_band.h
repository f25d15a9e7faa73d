// How far to trust a whole-model time: the spread of phase_time's errors on the project's own
// end-to-end records (one Hugging Face model() call timed with CUDA events, host dispatch included),
// per phase, what bounds the predicted time (the GPU's work or the host's eager dispatch),
// architecture family and transformers' attention implementation. The records are of dense
// decoder-only transformers whose layers all attend globally (Llama, Qwen2.5); other kinds of model
// have no band. The table is generated from the committed data by validate/whole_model_error_bands.h;
// tests/validate/whole_model_error_bands_test.cpp recomputes it and fails when it is stale.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "capacity/model_config.h"
#include "capacity/scenario.h"

namespace attnsim::capacity {

struct WholeModelErrorBand {
  std::string phase;        // "prefill", as phase_name() names it
  std::string bound;        // "gpu" or "host": the longer of the GPU's work and eager dispatch, as predicted
  std::string arch_family;  // "sm90", as arch_family() names it
  std::string attention;    // "eager" or "sdpa": transformers' attn_implementation (scenario.attention)
  double percent = 0;       // 90th percentile of |predicted / measured - 1|, in percent
  int runs = 0;
  std::string gpus;  // the GPUs the runs came from, "h100-sxm, h200"
};

// The committed table (capacity/whole_model_error_bands_table.cpp).
const std::vector<WholeModelErrorBand>& validated_whole_model_error_bands();

// Whether end-to-end runs cover this kind of model: dense, every layer attending globally, no
// latent attention, experts or SSM mixer.
bool end_to_end_runs_cover(const ModelConfig& model);

// The band for this model and scenario on this architecture family where its time is `bound`
// ("gpu" or "host"); null where no end-to-end record covers them.
const WholeModelErrorBand* whole_model_error_band_for(const ModelConfig& model, const Scenario& scenario,
                                                      std::string_view bound, std::string_view arch_family);

// "±10% (15 end-to-end runs of gpu-bound prefill with sdpa on sm90: h100-sxm, h200)", or where no band
// exists "not validated end to end (gpu-bound decode with flash2 on sm89)".
std::string whole_model_validated_on(const WholeModelErrorBand* band, const ModelConfig& model,
                                     const Scenario& scenario, std::string_view bound, std::string_view arch_family);

}  // namespace attnsim::capacity

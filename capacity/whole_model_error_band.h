// How far to trust a whole-model time: the spread of phase_time's errors on the project's own
// end-to-end records (one Hugging Face model() call timed with CUDA events, host dispatch included),
// per phase, what bounds the predicted time (the GPU's work or the host's eager dispatch),
// architecture family and the attention kernel that ran (transformers' eager chain, or the backend
// PyTorch's SDPA picked). The records are batch-1 bf16 prefills of dense decoder-only transformers
// whose layers all attend globally (Llama, Qwen2.5), at 128 to 32768 tokens, last-position logits,
// eager dispatch; a scenario outside that envelope has no band. The table is generated from the
// committed data by validate/whole_model_error_bands.h; tests/validate/whole_model_error_bands_test.cpp
// recomputes it and fails when it is stale.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "capacity/model_config.h"
#include "capacity/phase_time.h"
#include "capacity/scenario.h"
#include "model/gpu.h"

namespace attnsim::capacity {

struct WholeModelErrorBand {
  std::string phase;        // "prefill", as phase_name() names it
  std::string bound;        // "gpu" or "host": the longer of the GPU's work and eager dispatch, as predicted
  std::string arch_family;  // "sm90", as arch_family() names it
  std::string attention;    // the attention kernel that ran, as attention_backend() names it: "eager", "cudnn"
  double percent = 0;       // 90th percentile of |predicted / measured - 1|, in percent
  int runs = 0;
  std::string gpus;  // the GPUs the runs came from, "h100-sxm, h200"
};

// The committed table (capacity/whole_model_error_bands_table.cpp).
const std::vector<WholeModelErrorBand>& validated_whole_model_error_bands();

// Empty where end-to-end runs cover this model and scenario; else what lies outside them, for
// whole_model_validated_on's message.
std::string outside_end_to_end_runs(const ModelConfig& model, const Scenario& scenario);

// The band for this model and scenario on this GPU where its time is `bound` ("gpu" or "host");
// null where no end-to-end record covers them.
const WholeModelErrorBand* whole_model_error_band_for(const ModelConfig& model, const Scenario& scenario,
                                                      const Gpu& gpu, std::string_view bound);

// A phase time's band and the text that says how far to trust it, from the bound it predicted.
struct WholeModelTrust {
  const WholeModelErrorBand* band = nullptr;  // null: not validated end to end
  std::string validated_on;
};
WholeModelTrust whole_model_trust(const ModelConfig& model, const Scenario& scenario, const Gpu& gpu,
                                  const PhaseTime& time);

// "±10% (15 end-to-end runs of gpu-bound prefill with cudnn on sm90: h100-sxm, h200)", or where no
// band exists "not validated end to end (...)", saying what no run covered.
std::string whole_model_validated_on(const WholeModelErrorBand* band, const ModelConfig& model,
                                     const Scenario& scenario, const Gpu& gpu, std::string_view bound);

}  // namespace attnsim::capacity

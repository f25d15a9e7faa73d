// The prefill validate/capacity/measure_prefill_*.py run: model(input_ids, use_cache=False,
// logits_to_keep=1) in transformers' eager mode with attn_implementation sdpa, batch 1, bf16, priced
// in the scenario the whole-model bands give such a run (validate/whole_model_records.h).
#pragma once

#include <cstdint>
#include <string>

#include "capacity/phase_time.h"
#include "io/model_config.h"
#include "tests/test_support.h"
#include "validate/whole_model_records.h"

namespace attnsim::capacity {

inline PhaseTime predicted_scripted_prefill(const std::string& model, std::int64_t tokens,
                                            const std::string& gpu = "h100-sxm") {
  WholeModelRun run;
  run.gpu = gpu;
  run.model = model;
  run.impl = "sdpa";
  run.seq = tokens;
  run.kv_cache = false;
  return phase_time(find_model(model), attnsim::testing::gpu(gpu), scenario_of(run));
}

}  // namespace attnsim::capacity

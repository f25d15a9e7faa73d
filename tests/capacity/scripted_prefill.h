// The prefill validate/capacity/measure_prefill_*.py run: model(input_ids, use_cache=False,
// logits_to_keep=1) in transformers' eager mode with attn_implementation sdpa, batch 1, bf16.
#pragma once

#include <cstdint>
#include <string>

#include "capacity/phase_time.h"
#include "capacity/scenario.h"
#include "io/model_config.h"
#include "tests/test_support.h"

namespace attnsim::capacity {

inline PhaseTime predicted_scripted_prefill(const std::string& model, std::int64_t tokens,
                                            const std::string& gpu = "h100-sxm") {
  Scenario s;
  s.phase = Phase::prefill;
  s.context = tokens;
  s.kv_cache = false;
  s.all_logits = false;
  s.attention = "sdpa";
  return phase_time(find_model(model), attnsim::testing::gpu(gpu), s);
}

}  // namespace attnsim::capacity

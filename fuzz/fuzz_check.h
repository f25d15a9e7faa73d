// What every fuzz target asserts beyond "no sanitizer report": a parser either returns a value or
// throws InvalidInput; any other exception, or a prediction that is not a finite non-negative
// number, stops the run with the input saved as a crash.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "model/prediction.h"

namespace attnsim::fuzz {

[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what.c_str());
  std::abort();
}

inline void require_finite(double value, const char* name) {
  if (!std::isfinite(value) || value < 0) fail(std::string(name) + " = " + std::to_string(value));
}

// Every count and time a prediction reports.
inline void require_sane(const Prediction& p) {
  const std::pair<const char*, double> fields[] = {{"model_flops", p.cost.model_flops},
                                                   {"workspace_bytes", p.cost.workspace_bytes},
                                                   {"tensor_flops", p.tensor_flops},
                                                   {"exp_flops", p.exp_flops},
                                                   {"vector_flops", p.vector_flops},
                                                   {"hbm_read_bytes", p.hbm_read_bytes},
                                                   {"hbm_write_bytes", p.hbm_write_bytes},
                                                   {"hbm_reread_bytes", p.hbm_reread_bytes},
                                                   {"arithmetic_intensity", p.arithmetic_intensity},
                                                   {"footprint_bytes", p.footprint_bytes},
                                                   {"tensor_seconds", p.tensor_seconds},
                                                   {"operand_load_seconds", p.operand_load_seconds},
                                                   {"l2_wait_seconds", p.l2_wait_seconds},
                                                   {"serial_loop_seconds", p.serial_loop_seconds},
                                                   {"lock_chain_seconds", p.lock_chain_seconds},
                                                   {"exp_seconds", p.exp_seconds},
                                                   {"vector_seconds", p.vector_seconds},
                                                   {"hbm_seconds", p.hbm_seconds},
                                                   {"launch_seconds", p.launch_seconds},
                                                   {"predicted_seconds", p.predicted_seconds},
                                                   {"achieved_flops_per_second", p.achieved_flops_per_second}};
  for (const auto& [name, value] : fields) require_finite(value, name);
  for (const KernelTime& k : p.kernels) require_finite(k.seconds, "kernel seconds");
  if (!(p.predicted_seconds > 0)) fail("predicted_seconds is not positive");
}

}  // namespace attnsim::fuzz

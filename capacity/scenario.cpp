#include "capacity/scenario.h"

#include "model/error.h"

namespace attnsim::capacity {

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::prefill:
      return "prefill";
    case Phase::decode:
      return "decode";
    case Phase::train:
      return "train";
    case Phase::train_recompute:
      return "train-recompute";
  }
  return "?";
}

Phase parse_phase(std::string_view name) {
  for (const Phase p : {Phase::prefill, Phase::decode, Phase::train, Phase::train_recompute}) {
    if (phase_name(p) == name) return p;
  }
  throw InvalidInput("phase",
                     "unknown phase '" + std::string(name) + "'; allowed: prefill, decode, train, train-recompute");
}

}  // namespace attnsim::capacity

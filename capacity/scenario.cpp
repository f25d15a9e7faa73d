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

std::string_view dispatch_name(Dispatch dispatch) { return dispatch == Dispatch::eager ? "eager" : "graph"; }

Dispatch parse_dispatch(std::string_view name) {
  if (name == "eager") return Dispatch::eager;
  if (name == "graph") return Dispatch::graph;
  throw InvalidInput("runtime", "unknown runtime '" + std::string(name) +
                                    "'; allowed: eager (PyTorch eager mode), graph (CUDA graphs or a compiled model)");
}

}  // namespace attnsim::capacity

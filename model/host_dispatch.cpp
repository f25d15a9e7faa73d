#include "model/host_dispatch.h"

#include <string>

#include "model/error.h"

namespace attnsim {

std::string_view dispatch_name(Dispatch dispatch) { return dispatch == Dispatch::eager ? "eager" : "graph"; }

Dispatch parse_dispatch(std::string_view name) {
  if (name == "eager") return Dispatch::eager;
  if (name == "graph") return Dispatch::graph;
  throw InvalidInput("runtime", "unknown runtime '" + std::string(name) +
                                    "'; allowed: graph (CUDA graphs or a compiled program: GPU time), eager "
                                    "(PyTorch eager mode: the host dispatches every operator)");
}

}  // namespace attnsim

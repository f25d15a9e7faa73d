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

std::string_view entry_name(Entry entry) { return entry == Entry::sdpa ? "sdpa" : "kernel"; }

Entry parse_entry(std::string_view name) {
  if (name == "kernel") return Entry::kernel;
  if (name == "sdpa") return Entry::sdpa;
  throw InvalidInput("entry", "unknown entry '" + std::string(name) +
                                  "'; allowed: kernel (the backend's own API: flash_attn_func, cuDNN), sdpa "
                                  "(torch.nn.functional.scaled_dot_product_attention, which adds layout copies "
                                  "to FlashAttention-2's backward)");
}

}  // namespace attnsim

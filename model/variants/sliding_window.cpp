// Sliding-window (local) causal attention with FlashAttention-2's kernel: each query sees the
// `window` most recent keys, so work and traffic grow as N * window: linear in N.
#include "model/variants/flash2.h"

namespace attnsim {
namespace {

// Mistral-7B v0.1 config.json: "sliding_window": 4096.
constexpr std::int64_t kDefaultWindow = 4096;

Cost sliding_window_cost(const Workload& w, const Gpu& gpu, const VariantKnobs& knobs) {
  require_flash_head_dim(w, "sliding-window");
  Workload local = w;
  local.causal = true;
  if (!local.window) local.window = kDefaultWindow;
  Cost cost = flash2_cost(local, gpu, knobs);
  cost.modelled_mask = Cost::Mask{local.causal, local.window};
  if (!w.window) cost.notes.push_back("window 4096 (Mistral-7B v0.1 sliding_window); set --window to change");
  if (!w.causal) cost.notes.push_back("sliding-window is causal local attention: --causal implied");
  return cost;
}

}  // namespace

Variant sliding_window_variant() {
  return {"sliding-window",
          "Causal local attention (window w, default 4096 as Mistral-7B) on FlashAttention-2's kernel",
          "O(N)",
          {"--window", "--tile BMxBN", "--warps"},
          "FA2 window_size (local) support; Mistral-7B v0.1 config",
          sliding_window_cost};
}

}  // namespace attnsim

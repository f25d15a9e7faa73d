// Predicts one FlashAttention-2 call on an H100 SXM from the installed profile, through the installed
// libraries: what a project built against attnsim's package does.
#include <cstdio>

#include "io/gpu_profile.h"
#include "model/variant.h"
#include "model/workload.h"

int main() {
  const attnsim::Gpu gpu = attnsim::load_gpu_profile(ATTNSIM_PROFILES_DIR "/h100-sxm.toml");
  attnsim::Workload w;  // B=1, H=32, N=4096, d=128, bf16, forward
  w.causal = true;
  const attnsim::Prediction p = attnsim::predict(w, gpu, attnsim::find_variant("flash2"), {});
  std::printf("%s on %s: %.1f us, bound by %s\n", p.variant.c_str(), gpu.id.c_str(), p.predicted_seconds * 1e6,
              p.bound.c_str());
  return p.predicted_seconds > 0 ? 0 : 1;
}

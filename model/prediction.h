// A timed prediction: the variant's counts plus the roofline time on each resource.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/cost.h"
#include "model/error_band.h"
#include "model/workload.h"

namespace attnsim {

struct KernelTime {
  std::string name;
  double tensor_seconds = 0;
  double operand_load_seconds = 0;  // shared-memory operand loads that do not overlap the tensor pipe
  double l2_wait_seconds = 0;       // a CTA stalled on global loads it waits for (other CTAs' work fills it)
  double serial_loop_seconds = 0;   // a CTA in a loop bound by its own dependent chain (KernelCost)
  double lock_chain_seconds = 0;    // sections taken one at a time under a lock, back to back: a floor
  double exp_seconds = 0;
  double vector_seconds = 0;
  double hbm_seconds = 0;
  double launch_seconds = 0;
  double wave_quantization_seconds =
      0;  // time added by the partial last wave, or by the CTA schedule's makespan under uneven (causal) work
  double waves = 0;  // 0 for library kernels (not modelled)
  double seconds = 0;
  std::string bound;
};

struct Prediction {
  std::string variant;
  std::string gpu;
  double sm_clock_hz = 0;  // the SM clock compute was priced at (Gpu::priced_clock_hz(), model/sm_clock.h)
  Workload workload;
  Cost cost;
  std::vector<KernelTime> kernels;

  double tensor_flops = 0;
  double exp_flops = 0;
  double vector_flops = 0;
  double hbm_read_bytes = 0;
  double hbm_write_bytes = 0;
  double hbm_reread_bytes = 0;      // total minus compulsory: tile re-reads that miss L2 and materialized tensors
  double arithmetic_intensity = 0;  // model FLOPs per HBM byte
  double footprint_bytes = 0;       // io + workspace
  bool fits_in_memory = true;

  double tensor_seconds = 0;
  double operand_load_seconds = 0;
  double l2_wait_seconds = 0;
  double serial_loop_seconds = 0;
  double lock_chain_seconds = 0;
  double exp_seconds = 0;
  double vector_seconds = 0;
  double hbm_seconds = 0;
  double launch_seconds = 0;
  double wave_quantization_seconds = 0;
  double gpu_seconds = 0;                // the kernels' time: what a CUDA graph replay measures
  double host_seconds = 0;               // eager dispatch: the host's time for the call's operators (0 under graphs)
  double predicted_seconds = 0;          // gpu_seconds, or host_seconds where eager dispatch is slower
  double achieved_flops_per_second = 0;  // model FLOPs / predicted time
  std::string bound;                     // compute, memory, exp, latency
  // How far to trust it (model/error_band.h): the committed record of this variant's validated runs
  // on this architecture family and pass, null where there are none (rendered as
  // error_band_percent and validated_on).
  const ErrorBand* error_band = nullptr;
  Dispatch dispatch = Dispatch::graph;  // how the call was issued: the band is looked up for it
  std::string arch_family;  // "sm90"
};

// What the prediction modelled: the variant's mask where it replaces the workload's (Cost::modelled_mask).
inline bool modelled_causal(const Prediction& p) {
  return p.cost.modelled_mask ? p.cost.modelled_mask->causal : p.workload.causal;
}
inline std::optional<std::int64_t> modelled_window(const Prediction& p) {
  return p.cost.modelled_mask ? p.cost.modelled_mask->window : p.workload.window;
}

}  // namespace attnsim

// The tile-level simulator's entry point: the same (Workload, Gpu, Variant, knobs) as the analytic
// model, the same Prediction out, with HBM bytes from an L2 model and time from a CTA schedule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "model/variant.h"
#include "model/workload.h"
#include "sim/result.h"

namespace attnsim::sim {

struct SimOptions {
  std::optional<double> l2_bytes;  // replaces the profile's L2 size (what-if; tests take 0 and 1 TB)
  // Above this many tile steps in one kernel, a prefix of whole waves in launch order is simulated
  // and bytes and time are scaled up; the result says so. 4e8 steps take a few seconds on one core.
  double max_tile_steps = 4e8;
  bool record_timeline = false;
  // Resident CTAs per SM of the main kernel, when the caller knows better than the variant's
  // compiled-register assumption (the tile what-if estimates registers per candidate).
  std::optional<double> ctas_per_sm;
};

// Variants with a tile program: FlashAttention-1 and -2, and split-KV decoding.
const std::vector<std::string>& simulated_variants();

// Throws InvalidInput for a variant without a tile program or a pass other than forward.
SimResult simulate(const Workload& workload, const Gpu& gpu, const Variant& variant, const VariantKnobs& knobs,
                   const SimOptions& options = {});

}  // namespace attnsim::sim

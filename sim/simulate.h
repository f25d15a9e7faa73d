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
  std::optional<double> l2_bytes;  // replaces the profile's L2 size, split among its partitions alike (what-if; tests take 0 and 1 TB)
  // Above this many tile steps in one kernel, a prefix of whole waves in launch order is simulated
  // and bytes and time are scaled up; the result says so. 4e8 steps take a few seconds on one core.
  double max_tile_steps = 4e8;
  // The smallest sample is two whole waves; a call whose two waves exceed this many steps (about
  // 7 s at the 300 M steps/s of bench/sim_bench.cpp) is refused with InvalidInput, not run.
  double max_sample_tile_steps = 2e9;
  std::string sample_limit_reason;  // appended to that refusal: why the limit is what it is
  bool record_timeline = false;
};

// Variants with a tile program: FlashAttention-1 and -2, and split-KV decoding.
const std::vector<std::string>& simulated_variants();

// Throws InvalidInput for a variant without a tile program, a pass other than forward, or a call
// too large to simulate: more than 2^25 tiles in the L2 model, or a smallest sample above
// SimOptions::max_sample_tile_steps.
SimResult simulate(const Workload& workload, const Gpu& gpu, const Variant& variant, const VariantKnobs& knobs,
                   const SimOptions& options = {});

}  // namespace attnsim::sim

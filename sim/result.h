// What the simulator reports per kernel and per call, beside the Prediction both engines share.
#pragma once

#include <string>
#include <vector>

#include "model/prediction.h"
#include "sim/l2_cache.h"

namespace attnsim::sim {

struct KernelStats {
  std::string name;
  double ctas = 0;            // launched by the real kernel
  double simulated_ctas = 0;  // below ctas when a sample of heads was simulated and scaled
  double slots = 0;           // SMs x CTAs per SM
  double ctas_per_sm = 0;
  double cta_steps = 0;       // tile steps of all CTAs (scaled like ctas)
  double rounds = 0;          // lockstep rounds simulated
  double waves = 0;           // most CTAs any slot ran in turn
  double seconds = 0;         // launch latency included
  double memory_bound_seconds = 0;  // rounds whose HBM or L2 traffic, not compute, set their length
  double l2_bound_seconds = 0;      // of which L2 bandwidth set it
  double sm_busy_fraction = 0;      // occupied slot-time over slots x body time
  CacheTraffic traffic;             // scaled like ctas
  double l2_hit_rate() const { return traffic.read_bytes > 0 ? traffic.read_hit_bytes / traffic.read_bytes : 0.0; }
};

// One CTA on one SM slot: [start, end) seconds from the first kernel's launch.
struct CtaSpan {
  int kernel = 0;
  int sm = 0;
  int slot_on_sm = 0;
  std::int64_t cta = 0;
  std::int64_t steps = 0;
  double start_seconds = 0;
  double end_seconds = 0;
};

// Per round: when it began, how many CTAs ran, the HBM bandwidth used.
struct RoundSample {
  int kernel = 0;
  double start_seconds = 0;
  double active_ctas = 0;
  double hbm_bytes_per_second = 0;
};

struct Timeline {
  std::vector<std::string> kernel_names;
  std::vector<CtaSpan> spans;
  std::vector<RoundSample> rounds;
  double sm_count = 0;
};

struct SimResult {
  Prediction prediction;  // simulated bytes and time in the analytic model's format
  std::vector<KernelStats> kernels;
  Timeline timeline;  // filled when asked for (trace)
  double sample_fraction = 1.0;  // share of heads simulated; results scaled by its inverse
};

}  // namespace attnsim::sim

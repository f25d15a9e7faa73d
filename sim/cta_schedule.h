// The schedule: CTAs dispatched onto SM slots in launch order as slots free, every resident CTA
// advancing one tile step per round. Every tile step of a kernel does the same tensor-core work
// (masked tiles are computed in full) at the same per-slot rate, so step boundaries coincide: the
// event queue of an exact discrete-event simulation collapses to rounds, and one round lasts as
// long as its slowest resource: the step's compute, or the HBM or L2 bytes the whole GPU moved in
// it at the bandwidth the SMs share.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/l2_cache.h"
#include "sim/result.h"

namespace attnsim::sim {

struct KernelLaunch {
  std::string name;
  double sm_count = 0;
  double ctas_per_sm = 0;
  double step_compute_seconds = 0;  // one tile step on one slot
  double hbm_bytes_per_second = 0;  // achievable, shared by all SMs
  std::optional<double> l2_bytes_per_second;  // L2 hit bandwidth, shared by all SMs; absent: unlimited
  double launch_seconds = 0;
  std::int64_t cta_limit = 0;       // CTAs simulated (a prefix of the launch order)
};

namespace detail {

class CacheMemory {
 public:
  explicit CacheMemory(TileCache& cache) : cache_(cache) {}
  void load(std::int64_t object, double bytes) { cache_.load(object, bytes); }
  void load_pair(std::int64_t a, double a_bytes, std::int64_t b, double b_bytes) { cache_.load_pair(a, a_bytes, b, b_bytes); }
  void store(std::int64_t object, double bytes) { cache_.store(object, bytes); }

 private:
  TileCache& cache_;
};

}  // namespace detail

// Runs one kernel from `start_seconds`; the cache carries over between kernels of one call.
template <class Program>
KernelStats run_kernel(const Program& program, const KernelLaunch& launch, TileCache& cache, double start_seconds,
                       int kernel_index, Timeline* timeline) {
  using Cta = typename Program::Cta;
  const auto sm_count = static_cast<std::int64_t>(launch.sm_count);
  const auto slots = static_cast<std::int64_t>(launch.sm_count * launch.ctas_per_sm);
  const std::int64_t total = std::min(launch.cta_limit, program.cta_count());
  const CacheTraffic before = cache.traffic();

  struct Slot {
    Cta cta;
    std::int64_t index = -1;  // -1: idle
    std::int64_t step = 0;
    double start_seconds = 0;
    std::int64_t ctas_run = 0;
  };
  std::vector<Slot> slot(static_cast<std::size_t>(slots));
  detail::CacheMemory memory(cache);
  KernelStats stats;
  stats.name = launch.name;
  stats.slots = double(slots);
  stats.ctas_per_sm = launch.ctas_per_sm;
  stats.simulated_ctas = double(total);

  double now = start_seconds + launch.launch_seconds;
  const double body_start = now;
  double occupied_slot_seconds = 0;
  std::int64_t next = 0;
  std::int64_t active = 0;
  double steps = 0;
  // Slots that became free, lowest index first: all of them at launch, then those whose CTA
  // finished in the last round (a slot left empty once the grid is exhausted stays empty).
  std::vector<std::size_t> freed(slot.size());
  for (std::size_t s = 0; s < freed.size(); ++s) freed[s] = s;
  std::vector<std::size_t> finished;
  while (next < total || active > 0) {
    for (std::size_t i = 0; i < freed.size() && next < total; ++i) {  // dispatch in launch order
      Slot& x = slot[freed[i]];
      x.cta = program.start(next);
      x.index = next++;
      x.step = 0;
      x.start_seconds = now;
      ++x.ctas_run;
      ++active;
    }
    finished.clear();
    for (std::size_t s = 0; s < slot.size(); ++s) {
      Slot& x = slot[s];
      if (x.index < 0) continue;
      program.step(x.cta, x.step, memory);
      if (++x.step == x.cta.steps) finished.push_back(s);
    }
    const double hbm_bytes = cache.take_hbm_bytes();
    const double l2_bytes = cache.take_l2_bytes();
    const double hbm_seconds = hbm_bytes / launch.hbm_bytes_per_second;
    const double l2_seconds = launch.l2_bytes_per_second ? l2_bytes / *launch.l2_bytes_per_second : 0.0;
    const double round_seconds = std::max({launch.step_compute_seconds, hbm_seconds, l2_seconds});
    if (round_seconds > launch.step_compute_seconds) {
      stats.memory_bound_seconds += round_seconds;
      if (l2_seconds > hbm_seconds) stats.l2_bound_seconds += round_seconds;
    }
    occupied_slot_seconds += double(active) * round_seconds;
    steps += double(active);
    now += round_seconds;
    stats.rounds += 1;
    if (timeline) {
      timeline->rounds.push_back({kernel_index, now - round_seconds, double(active), round_seconds > 0 ? hbm_bytes / round_seconds : 0.0});
    }
    for (const std::size_t s : finished) {
      Slot& x = slot[s];
      if (timeline) {
        timeline->spans.push_back({kernel_index, int(std::int64_t(s) % sm_count), int(std::int64_t(s) / sm_count),
                                   x.index, x.cta.steps, x.start_seconds, now});
      }
      x.index = -1;
      --active;
    }
    freed.swap(finished);
  }
  for (const Slot& s : slot) stats.waves = std::max(stats.waves, double(s.ctas_run));
  const double body_seconds = now - body_start;
  stats.seconds = now - start_seconds;
  stats.cta_steps = steps;
  stats.sm_busy_fraction = body_seconds > 0 ? occupied_slot_seconds / (double(slots) * body_seconds) : 0.0;
  const CacheTraffic& after = cache.traffic();
  stats.traffic.read_bytes = after.read_bytes - before.read_bytes;
  stats.traffic.read_hit_bytes = after.read_hit_bytes - before.read_hit_bytes;
  stats.traffic.write_bytes = after.write_bytes - before.write_bytes;
  stats.traffic.hbm_read_bytes = after.hbm_read_bytes - before.hbm_read_bytes;
  stats.traffic.hbm_write_bytes = after.hbm_write_bytes - before.hbm_write_bytes;
  return stats;
}

}  // namespace attnsim::sim

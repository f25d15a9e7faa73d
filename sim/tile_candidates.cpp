#include "sim/tile_candidates.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

#include "model/error.h"
#include "model/tile_usability.h"
#include "model/variants/flash_decode.h"

namespace attnsim::sim {
namespace {

constexpr double kKiB = 1024.0;

std::string round_text(double x) { return std::to_string(std::llround(x)); }

// Which limit the tile breaks, checked in the order a kernel author meets them; empty if none.
std::string infeasibility(const TileCandidate& c, const Gpu& gpu, Dtype dtype) {
  // FlashAttention-2's forward issues mma.sync with the warps splitting the query rows.
  const std::string unusable =
      tile_unusable_reason(c.tiling, TensorPath::mma_sync, WarpLayout::split_query_rows, dtype);
  if (!unusable.empty()) return unusable;
  const double threads = tiling_threads(c.tiling);
  if (c.shared_memory_bytes > gpu.shared_memory_per_block_bytes) {
    return "shared memory: " + round_text(c.shared_memory_bytes / kKiB) + " KiB per CTA > " +
           round_text(gpu.shared_memory_per_block_bytes / kKiB) + " KiB allowed";
  }
  if (threads > gpu.max_threads_per_sm) {
    return "threads: " + round_text(threads) + " per CTA > " + round_text(gpu.max_threads_per_sm) + " per SM";
  }
  const double compiled_registers = threads * double(c.tiling.registers_per_thread);
  if (compiled_registers > gpu.registers_per_sm) {
    return "register file: " + round_text(compiled_registers) + " per CTA > " +
           round_text(gpu.registers_per_sm) + " per SM";
  }
  if (c.ctas_per_sm < 1.0) return "occupancy: no CTA fits on an SM";
  return {};
}

TileCandidate evaluate(const Workload& w, const Gpu& gpu, const Variant& variant, const Tiling& tiling,
                       const SimOptions& options) {
  TileCandidate c;
  c.tiling = tiling;
  c.shared_memory_bytes =
      tile_shared_memory_bytes(tiling, double(w.head_dim), double(w.head_dim_v), element_bytes(w.dtype));
  c.registers = forward_register_demand(tiling, w.head_dim_v);
  c.ctas_per_sm = ctas_per_sm(gpu, c.shared_memory_bytes, tiling_threads(tiling), tiling.registers_per_thread);
  c.infeasible = infeasibility(c, gpu, w.dtype);
  if (!c.infeasible.empty()) return c;
  VariantKnobs knobs;
  knobs.block_m = tiling.block_m;
  knobs.block_n = tiling.block_n;
  knobs.warps = tiling.warps;
  knobs.stages = tiling.stages;
  SimOptions run = options;
  run.record_timeline = false;
  const SimResult r = simulate(w, gpu, variant, knobs, run);
  c.seconds = r.prediction.predicted_seconds;
  c.hbm_bytes = r.prediction.hbm_read_bytes + r.prediction.hbm_write_bytes;
  double read = 0;
  double hit = 0;
  for (const KernelStats& k : r.kernels) {
    read += k.traffic.read_bytes;
    hit += k.traffic.read_hit_bytes;
  }
  c.l2_hit_rate = read > 0 ? hit / read : 0.0;
  c.waves = r.kernels.front().waves;
  c.sm_busy_fraction = r.kernels.front().sm_busy_fraction;
  c.bound = r.prediction.bound;
  c.sampled = r.sample_fraction < 1.0;
  return c;
}

}  // namespace

std::vector<TileCandidate> sweep_tiles(const Workload& w, const Gpu& gpu, const Variant& variant, const TileGrid& grid,
                                       const SimOptions& options, unsigned threads) {
  if (variant.id != "flash2") {
    throw InvalidInput("variant", "the tile what-if covers flash2 (FlashAttention-2's forward kernel); got '" +
                                      variant.id + "'");
  }
  const SplitKvPlan plan = plan_split_kv(w, gpu, {});
  if (plan.splits > 1 || plan.pack) {
    throw InvalidInput("seq-q", "flash2 takes its split-KV path for this workload (" + std::to_string(plan.splits) +
                                    " splits), whose tile is fixed; the what-if varies the standard kernel's tile: "
                                    "use more query rows, heads or batch");
  }
  const Tiling standard = *predict(w, gpu, variant, {}).cost.tiling;
  const int warps = grid.warps.value_or(standard.warps);
  std::vector<Tiling> tilings;
  for (const std::int64_t m : grid.block_m) {
    for (const std::int64_t n : grid.block_n) {
      for (const int s : grid.stages) tilings.push_back({m, n, warps, s, standard.registers_per_thread});
    }
  }
  const auto same = [&](const Tiling& t) {
    return t.block_m == standard.block_m && t.block_n == standard.block_n && t.stages == standard.stages &&
           t.warps == standard.warps;
  };
  if (std::none_of(tilings.begin(), tilings.end(), same)) tilings.push_back(standard);
  if (tilings.size() > kMaxTileCandidates) {
    throw InvalidInput("block-m", "the grid has " + std::to_string(tilings.size()) +
                                      " candidates (block M x block N x stages); allowed: at most " +
                                      std::to_string(kMaxTileCandidates));
  }
  SimOptions share = options;
  const double steps_per_candidate = kWhatIfTileStepBudget / double(tilings.size());
  share.max_tile_steps = std::min(options.max_tile_steps, steps_per_candidate);
  share.max_sample_tile_steps = std::min(options.max_sample_tile_steps, steps_per_candidate);
  share.sample_limit_reason = "the sweep shares " + std::to_string(long(kWhatIfTileStepBudget / 1e9)) +
                              " billion steps among its " + std::to_string(tilings.size()) +
                              " candidates; fewer candidates allow more";

  std::vector<TileCandidate> rows(tilings.size());
  std::vector<std::exception_ptr> errors(tilings.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};  // one refused candidate refuses the sweep: stop starting others
  const auto work = [&] {
    for (std::size_t i = next++; i < tilings.size() && !failed; i = next++) {
      try {
        rows[i] = evaluate(w, gpu, variant, tilings[i], share);
      } catch (...) {
        failed = true;
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, threads); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].is_default = same(rows[i].tiling);
  std::stable_sort(rows.begin(), rows.end(), [](const TileCandidate& a, const TileCandidate& b) {
    if (a.infeasible.empty() != b.infeasible.empty()) return a.infeasible.empty();
    return a.infeasible.empty() && a.seconds < b.seconds;
  });
  return rows;
}

}  // namespace attnsim::sim

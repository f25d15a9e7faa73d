#include "sim/simulate.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "model/error.h"
#include "model/timing.h"
#include "model/variants/flash_decode.h"
#include "sim/combine_program.h"
#include "sim/cta_schedule.h"
#include "sim/flash1_program.h"
#include "sim/flash_forward_program.h"

namespace attnsim::sim {
namespace {

// The combine kernel runs Kernel_traits::kNThreads = 128 threads per CTA (flash_fwd_launch_template.h:
// "Combine kernel requires kNThreads == 128") and little shared memory: threads bound its occupancy.
constexpr double kCombineThreads = 128.0;

// Tile steps of the first `ctas` CTAs in launch order.
template <class Program>
double steps_of_first(const Program& program, std::int64_t ctas) {
  double steps = 0;
  for (std::int64_t c = 0; c < ctas; ++c) steps += double(program.start(c).steps);
  return steps;
}

std::string fixed(double x, int digits) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << x;
  return s.str();
}

// 2.5e9 -> "2.5 billion", 3.1e6 -> "3.1 million".
std::string count_text(double n) {
  return n >= 1e9 ? fixed(n / 1e9, 1) + " billion" : fixed(n / 1e6, 1) + " million";
}

// CTAs to simulate: all, or a prefix of whole waves in launch order holding about `max_steps`
// steps (at least two waves, so the schedule reaches its steady state).
std::int64_t cta_limit(double steps, std::int64_t ctas, double slots, double max_steps) {
  if (steps <= max_steps) return ctas;
  const double steps_per_cta = steps / double(ctas);
  const double waves = std::max(2.0, std::ceil(max_steps / steps_per_cta / slots));
  return std::min(ctas, static_cast<std::int64_t>(waves * slots));
}

// What the tile cache holds: tiles every SM reads (K and V) are copied into each L2 partition,
// so of the L2 only l2_bytes / partitions holds distinct tiles.
double modelled_l2_bytes(const Gpu& gpu, const SimOptions& options) {
  return options.l2_bytes.value_or(gpu.l2_bytes) / gpu.l2_partitions;
}

struct Runner {
  const Gpu& gpu;
  const SimOptions& options;
  TileCache& cache;
  SimResult& result;
  double now = 0;

  // `issue_slowdown` >= 1 stretches compute when fewer warps are resident than where the
  // efficiency constant was measured (see resident_warp_slowdown).
  template <class Program>
  void run(const Program& program, const KernelCost& analytic, double ctas_per_sm, double issue_slowdown = 1.0) {
    const double steps = steps_of_first(program, program.cta_count());
    KernelLaunch launch;
    launch.name = analytic.name;
    launch.sm_count = gpu.sm_count;
    launch.ctas_per_sm = ctas_per_sm;
    const double slots = gpu.sm_count * ctas_per_sm;
    // Per-slot share of the kernel's compute: the analytic time with every slot busy, per step.
    launch.step_compute_seconds = compute_seconds(analytic, gpu) * slots / steps * issue_slowdown;
    launch.hbm_bytes_per_second = gpu.hbm_bytes_per_second * analytic.efficiency.hbm.value_or(gpu.hbm_efficiency);
    launch.l2_bytes_per_second = gpu.l2_bytes_per_second;
    launch.launch_seconds = analytic.efficiency.launch_seconds.value_or(gpu.kernel_launch_seconds);
    const double sample = result.sample_fraction;
    launch.cta_limit = sample < 1.0 ? std::max<std::int64_t>(1, std::int64_t(std::ceil(double(program.cta_count()) * sample)))
                                    : cta_limit(steps, program.cta_count(), slots, options.max_tile_steps);
    // The smallest sample cta_limit takes: two whole waves (or the whole grid).
    const std::int64_t two_waves = static_cast<std::int64_t>(std::ceil(2.0 * slots));
    const double sample_steps = two_waves < program.cta_count() ? steps_of_first(program, two_waves) : steps;
    if (sample_steps > options.max_sample_tile_steps) {
      throw InvalidInput("seq", "the simulator would walk " + count_text(sample_steps) + " tile steps in " +
                                    analytic.name + " even sampling two waves; it stops at " +
                                    count_text(options.max_sample_tile_steps) +
                                    (options.sample_limit_reason.empty() ? "" : " (" + options.sample_limit_reason + ")") +
                                    "; use --engine model or a shorter --seq");
    }
    Timeline* timeline = options.record_timeline ? &result.timeline : nullptr;
    if (timeline) timeline->kernel_names.push_back(launch.name);
    KernelStats stats = run_kernel(program, launch, cache, now, int(result.kernels.size()), timeline);
    now += stats.seconds;
    stats.ctas = double(program.cta_count());
    const double scale = steps / stats.cta_steps;
    if (scale > 1.0) {
      if (result.sample_fraction == 1.0) result.sample_fraction = 1.0 / scale;
      // The sample holds whole waves; the full grid's partial last wave is charged in full, as it
      // is for CTAs of equal work.
      const double full_waves = double(program.cta_count()) / slots;
      const double quantization = std::ceil(full_waves) / full_waves;
      const double body = stats.seconds - launch.launch_seconds;
      stats.seconds = launch.launch_seconds + body * scale * quantization;
      stats.memory_bound_seconds *= scale;
      stats.l2_bound_seconds *= scale;
      stats.rounds *= scale;
      stats.waves = std::ceil(stats.waves * scale);
      for (double* x : {&stats.traffic.read_bytes, &stats.traffic.read_hit_bytes, &stats.traffic.write_bytes,
                        &stats.traffic.hbm_read_bytes, &stats.traffic.hbm_write_bytes}) {
        *x *= scale;
      }
      stats.cta_steps = steps;
    }
    result.kernels.push_back(stats);
  }
};

// Outputs still dirty in L2 when the call ends reach HBM later: their bytes count, their time does not.
void flush_into_last_kernel(TileCache& cache, SimResult& result) {
  const double before = cache.traffic().hbm_write_bytes;
  cache.flush();
  result.kernels.back().traffic.hbm_write_bytes += (cache.traffic().hbm_write_bytes - before) / result.sample_fraction;
}

// A variant's tensor efficiency was measured with its default tile resident (FlashAttention-2,
// d = 128 on H100: 2 CTAs x 4 warps per SM). A tile leaving fewer warps per SM has fewer warps to
// issue mma while others wait on loads and softmax: its rate is taken as proportional to resident
// warps. More warps than the default are not credited beyond the measured efficiency.
double resident_warp_slowdown(const Prediction& reference, double ctas_per_sm, int warps) {
  const double reference_warps = reference.cost.kernels[0].ctas_per_sm * double(reference.cost.tiling->warps);
  return std::max(1.0, reference_warps / (ctas_per_sm * double(warps)));
}

bool uses_split_kv(const std::string& variant, const SplitKvPlan& plan) {
  return variant == "flash-decode" || plan.splits > 1 || plan.pack;
}

// The analytic prediction (with the simulator's notes) re-timed: simulated bytes, kernel times,
// waves and bounds; roofline columns stay as the closed form computes them from those bytes.
void fill_prediction(SimResult& result, const Prediction& analytic, const Gpu& gpu) {
  Cost cost = analytic.cost;
  for (std::size_t i = 0; i < result.kernels.size(); ++i) {
    const CacheTraffic& t = result.kernels[i].traffic;
    cost.kernels[i].hbm_read_bytes = t.hbm_read_bytes;
    cost.kernels[i].hbm_write_bytes = t.hbm_write_bytes;
    cost.kernels[i].l2_read_bytes = t.read_bytes;
  }
  Prediction p = time_cost(std::move(cost), analytic.workload, gpu);
  p.variant = analytic.variant;
  p.predicted_seconds = 0;
  p.wave_quantization_seconds = 0;
  std::map<std::string, double> seconds_by_bound;
  for (std::size_t i = 0; i < result.kernels.size(); ++i) {
    const KernelStats& s = result.kernels[i];
    KernelTime& t = p.kernels[i];
    const double body = s.seconds - t.launch_seconds;
    // Time beyond the kernel's roofline: partial waves, causal imbalance, memory-starved rounds.
    t.wave_quantization_seconds = std::max(0.0, body - std::max(compute_seconds(p.cost.kernels[i], gpu), t.hbm_seconds));
    t.waves = s.waves;
    t.seconds = s.seconds;
    if (t.launch_seconds >= body) {
      t.bound = "latency";
    } else if (s.memory_bound_seconds > 0.5 * body) {
      t.bound = "memory";
    } else if (t.bound == "memory" || t.bound == "latency") {
      t.bound = "compute";
    }
    p.wave_quantization_seconds += t.wave_quantization_seconds;
    p.predicted_seconds += t.seconds;
    seconds_by_bound[t.bound] += t.seconds;
  }
  p.achieved_flops_per_second = p.predicted_seconds > 0 ? p.cost.model_flops / p.predicted_seconds : 0.0;
  p.gpu_seconds = p.predicted_seconds;
  p.error_band = analytic.error_band;  // the variant's validation record, not the engine's
  p.arch_family = analytic.arch_family;
  p.bound = std::max_element(seconds_by_bound.begin(), seconds_by_bound.end(), [](const auto& a, const auto& b) {
              return a.second < b.second;
            })->first;
  result.prediction = std::move(p);
}

}  // namespace

const std::vector<std::string>& simulated_variants() {
  static const std::vector<std::string> ids = {"flash1", "flash2", "flash-decode"};
  return ids;
}

SimResult simulate(const Workload& w, const Gpu& gpu, const Variant& variant, const VariantKnobs& knobs,
                   const SimOptions& options) {
  const auto& ids = simulated_variants();
  if (std::find(ids.begin(), ids.end(), variant.id) == ids.end()) {
    throw InvalidInput("variant", "the simulator has tile programs for flash1, flash2 and flash-decode (got '" +
                                      variant.id + "'); use --engine model for the others");
  }
  if (w.pass != Pass::forward) {
    throw InvalidInput("pass", "the simulator runs forward kernels; allowed with --engine sim: forward");
  }
  const Prediction analytic = predict(w, gpu, variant, knobs);  // validates input, gives tiles and compute
  const Cost& cost = analytic.cost;
  const Tiling tile = *cost.tiling;
  const double main_ctas_per_sm = cost.kernels[0].ctas_per_sm;
  const double slowdown = resident_warp_slowdown(predict(w, gpu, variant, {}), main_ctas_per_sm, tile.warps);

  SimResult result;
  result.timeline.sm_count = gpu.sm_count;

  if (variant.id == "flash1") {
    const Flash1Program program(w, tile.block_m, tile.block_n, 0);
    TileCache cache(modelled_l2_bytes(gpu, options), program.object_count());
    Runner runner{gpu, options, cache, result};
    runner.run(program, cost.kernels[0], main_ctas_per_sm, slowdown);
    flush_into_last_kernel(cache, result);
  } else {
    VariantKnobs split_knobs = knobs;
    if (variant.id == "flash2") {  // as flash2_cost: --tile names the standard kernel's tile
      split_knobs.block_m.reset();
      split_knobs.block_n.reset();
    }
    const SplitKvPlan plan = plan_split_kv(w, gpu, split_knobs);
    const bool split_path = uses_split_kv(variant.id, plan);
    const Workload& problem = split_path ? plan.packed : w;
    const std::int64_t splits = split_path ? plan.splits : 1;
    const FlashForwardProgram forward({problem, tile.block_m, tile.block_n, splits}, 0);
    std::int64_t objects = forward.object_count();
    const double e = element_bytes(w.dtype);
    const CombineProgram combine(forward.partials(), forward.rows_total(), splits, w.head_dim,
                                 double(w.head_dim_v + 1) * FlashForwardProgram::kFp32Bytes,
                                 double(w.head_dim_v) * e + FlashForwardProgram::kFp32Bytes, objects);
    if (splits > 1) objects += combine.object_count();
    TileCache cache(modelled_l2_bytes(gpu, options), objects);
    Runner runner{gpu, options, cache, result};
    runner.run(forward, cost.kernels[0], main_ctas_per_sm, slowdown);
    if (splits > 1) {
      const double combine_per_sm = std::min(std::floor(gpu.max_threads_per_sm / kCombineThreads), gpu.max_ctas_per_sm);
      runner.run(combine, cost.kernels[1], combine_per_sm);
    }
    flush_into_last_kernel(cache, result);
  }
  Prediction p = analytic;
  const double l2 = options.l2_bytes.value_or(gpu.l2_bytes);
  const std::string partitions =
      gpu.l2_partitions > 1 ? " in " + std::to_string(long(gpu.l2_partitions)) + " partitions, each with its own copy of " +
                                  "what its SMs read: " + std::to_string(long(modelled_l2_bytes(gpu, options) / 1048576.0)) +
                                  " MiB"
                            : std::string();
  p.cost.notes.push_back("engine sim: CTA schedule over " + std::to_string(long(gpu.sm_count)) + " SMs, L2 " +
                         std::to_string(long(l2 / 1048576.0)) + " MiB" + partitions +
                         " as an LRU over whole tiles, write-back, " +
                         (gpu.l2_bytes_per_second ? std::to_string(long(*gpu.l2_bytes_per_second / 1e9)) + " GB/s"
                                                  : std::string("hits not bandwidth-limited (profile has no l2_bandwidth_gb_per_s)")));
  if (slowdown > 1.0) {
    p.cost.notes.push_back("engine sim: fewer warps per SM than the default tile; compute rate divided by " +
                           fixed(slowdown, 2));
  }
  if (result.sample_fraction < 1.0) {
    p.cost.notes.push_back("engine sim: simulated the first " + fixed(result.sample_fraction * 100.0, 1) +
                           "% of CTAs (whole waves in launch order) and scaled bytes and time to all of them");
  }
  fill_prediction(result, p, gpu);
  return result;
}

}  // namespace attnsim::sim

// attnsim tiles: the tile-size what-if. Every (block M, block N, stages) candidate checked against
// the GPU's shared memory, registers and threads, the feasible ones simulated (sim/), sorted by
// time, the kernel library's default marked; --plot draws the heatmap over block M x block N.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "cli/app.h"
#include "cli/options.h"
#include "io/gpu_profile.h"
#include "io/plot.h"
#include "io/report.h"
#include "model/error.h"
#include "sim/tile_candidates.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim tiles: which FlashAttention-2 tile is fastest on this GPU, and why.

example:
  attnsim tiles --gpu h100-sxm --seq 16384 --head-dim 128 --block-m 64,128,192 --block-n 32,64,128,176 --stages 1,2,3
  attnsim tiles --gpu rtx4090 --seq 16384 --causal --plot tiles.svg
  attnsim tiles --gpu h100-sxm --seq 8192 --format csv --out tiles.csv

Each candidate tile (block M query rows x block N key rows, K/V pipeline stages, warps per CTA) is
checked first against the instruction FlashAttention-2 issues (mma.sync m16n8k16, PTX ISA): block M
a multiple of 16 rows per warp, block N a multiple of the mma's k (16 for bf16/fp16, 32 for fp8),
then against the GPU: shared memory per CTA 2*(M*d + stages*N*(d+dv)) bytes within the per-block
limit, threads within the SM, the compiled 255 registers per thread within the register file.
Registers the accumulators need (fp32 S and O, bf16 P, per thread) beyond 255 spill to local memory:
such a tile still runs, marked in `spills`, its spill traffic priced as the closed form prices it.
Feasible tiles run through the tile-level simulator (attnsim predict --engine sim): CTAs per SM
from those limits, waves, K/V re-reads through L2, time. Rows are sorted by time; `*` marks the kernel library's default (flash_fwd_launch_template.h),
added when the grid lacks it; infeasible rows say which limit fails.
At most 1024 candidates; they share 3e9 simulated tile steps (about 10 s on one core), each
sampling whole waves above its share, or 3e7 steps, whichever is smaller.
)";

std::vector<std::int64_t> integer_list(const po::variables_map& vm, const char* key) {
  std::vector<std::int64_t> values;
  for (const std::string& item : split_list(vm[key].as<std::string>())) {
    const std::int64_t v = parse_integer(item, key);
    if (v < 1 || v > 1024) throw InvalidInput(key, "values must be 1..1024 (got " + item + ")");
    values.push_back(v);
  }
  if (values.empty()) throw InvalidInput(key, "needs at least one value, e.g. 64,128");
  return values;
}

Record candidate_record(const sim::TileCandidate& c) {
  const bool ok = c.infeasible.empty();
  const auto number = [&](double v) -> Value { return ok ? Value(v) : Value(std::string("-")); };
  return {{"default", std::string(c.is_default ? "*" : "")},
          {"block_m", double(c.tiling.block_m)},
          {"block_n", double(c.tiling.block_n)},
          {"stages", double(c.tiling.stages)},
          {"warps", double(c.tiling.warps)},
          {"smem_bytes", c.shared_memory_bytes},
          {"registers", c.registers.accumulator_registers},
          {"spills", c.registers.spilled_registers > 0 ? fmt::format("{:.0f} regs", c.registers.spilled_registers)
                                                       : std::string("-")},
          {"ctas_per_sm", c.ctas_per_sm},
          {"time_seconds", number(c.seconds)},
          {"hbm_bytes", number(c.hbm_bytes)},
          {"l2_hit_rate", ok ? Value(fmt::format("{:.1f}%", 100.0 * c.l2_hit_rate)) : Value(std::string("-"))},
          {"waves", number(c.waves)},
          {"sm_busy", ok ? Value(fmt::format("{:.1f}%", 100.0 * c.sm_busy_fraction)) : Value(std::string("-"))},
          {"bound", ok ? c.bound : std::string("-")},
          {"feasible", ok ? std::string("yes") : "no: " + c.infeasible}};
}

// CSV/JSON: plain values. What the simulator did not run (an infeasible tile) is null, not 0.
Record candidate_data(const sim::TileCandidate& c) {
  const bool ok = c.infeasible.empty();
  const auto simulated = [&](Value v) { return ok ? v : Value(); };
  return {{"default", c.is_default},
          {"block_m", c.tiling.block_m},
          {"block_n", c.tiling.block_n},
          {"stages", std::int64_t{c.tiling.stages}},
          {"warps", std::int64_t{c.tiling.warps}},
          {"smem_bytes", c.shared_memory_bytes},
          {"registers_per_thread", c.registers.accumulator_registers},
          {"spilled_registers_per_thread", c.registers.spilled_registers},
          {"spill_bytes_per_key_block", c.registers.spill_bytes_per_key_block},
          {"ctas_per_sm", c.ctas_per_sm},
          {"feasible", ok},
          {"infeasible_reason", ok ? Value() : Value(c.infeasible)},
          {"time_seconds", simulated(c.seconds)},
          {"hbm_bytes", simulated(c.hbm_bytes)},
          {"l2_hit_rate", simulated(c.l2_hit_rate)},
          {"waves", simulated(c.waves)},
          {"sm_busy_fraction", simulated(c.sm_busy_fraction)},
          {"bound", simulated(c.bound)},
          {"sampled", c.sampled}};
}

// Short reason for a blank heatmap cell.
std::string limit_word(const std::string& reason) { return reason.substr(0, reason.find(':')); }

Heatmap tile_heatmap(const std::vector<sim::TileCandidate>& rows) {
  std::vector<std::int64_t> ms, ns;
  for (const sim::TileCandidate& c : rows) {
    ms.push_back(c.tiling.block_m);
    ns.push_back(c.tiling.block_n);
  }
  for (auto* v : {&ms, &ns}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  Heatmap map;
  map.value_label = "time (ms), best over stages";
  for (const std::int64_t n : ns) map.x_labels.push_back(std::to_string(n));
  for (const std::int64_t m : ms) map.y_labels.push_back(std::to_string(m));
  map.values.assign(ms.size(), std::vector<double>(ns.size(), std::numeric_limits<double>::quiet_NaN()));
  map.labels.assign(ms.size(), std::vector<std::string>(ns.size(), ""));
  for (std::size_t y = 0; y < ms.size(); ++y) {
    for (std::size_t x = 0; x < ns.size(); ++x) {
      std::string reason;
      bool is_default = false;
      for (const sim::TileCandidate& c : rows) {
        if (c.tiling.block_m != ms[y] || c.tiling.block_n != ns[x]) continue;
        is_default |= c.is_default;
        if (!c.infeasible.empty()) {
          if (reason.empty()) reason = limit_word(c.infeasible);
          continue;
        }
        if (std::isnan(map.values[y][x]) || c.seconds * 1e3 < map.values[y][x]) {
          map.values[y][x] = c.seconds * 1e3;
          map.labels[y][x] = fmt::format("{:.4g} ms s{}{}", c.seconds * 1e3, c.tiling.stages,
                                         c.registers.spilled_registers > 0 ? " spills" : "");
        }
      }
      if (std::isnan(map.values[y][x])) map.labels[y][x] = reason.empty() ? "" : "no: " + reason;
      if (is_default) map.labels[y][x] += " *";
    }
  }
  return map;
}

}  // namespace

int tiles_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim tiles");
  options.add_options()
      ("gpu", po::value<std::string>()->default_value("h100-sxm"), "GPU id (attnsim gpus) or path to a .toml profile")
      ("variant", po::value<std::string>()->default_value("flash2"), "tiled kernel to vary (flash2)")
      ("block-m", po::value<std::string>()->default_value("64,128,192"), "query rows per CTA, a comma list")
      ("block-n", po::value<std::string>()->default_value("32,64,128,176"), "key rows per step, a comma list")
      ("stages", po::value<std::string>()->default_value("1,2"), "K/V tiles buffered in shared memory, a comma list")
      ("warps", po::value<std::string>(), "warps per CTA (default: the library's for this head dim)")
      ("jobs", po::value<std::string>(), "simulations run in parallel (default: the machine's cores)")
      ("plot", po::value<std::string>(), "write a heatmap of time over block M x block N (.svg or .png)");
  options.add(workload_options()).add(clock_options()).add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  const Format format = format_from(vm);
  const Workload workload = workload_from(vm);
  const Gpu gpu = at_clock_from(vm, find_gpu(vm["gpu"].as<std::string>()));
  const Variant& variant = find_variant(vm["variant"].as<std::string>());
  sim::TileGrid grid;
  grid.block_m = integer_list(vm, "block-m");
  grid.block_n = integer_list(vm, "block-n");
  for (const std::int64_t s : integer_list(vm, "stages")) {
    if (s > 8) throw InvalidInput("stages", "values must be 1..8");
    grid.stages.push_back(int(s));
  }
  if (vm.count("warps")) {
    const std::int64_t warps = parse_integer(vm["warps"].as<std::string>(), "warps");
    if (warps < 1 || warps > 32) throw InvalidInput("warps", "must be 1..32");
    grid.warps = int(warps);
  }
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  if (vm.count("jobs")) {
    const std::int64_t j = parse_integer(vm["jobs"].as<std::string>(), "jobs");
    if (j < 1 || j > 256) throw InvalidInput("jobs", "must be 1..256");
    jobs = unsigned(j);
  }
  const std::string out_path = out_path_from(vm);
  const std::string plot_path = vm.count("plot") ? vm["plot"].as<std::string>() : "";

  sim::SimOptions sim_options;
  sim_options.max_tile_steps = sim::kWhatIfMaxTileSteps;
  const std::vector<sim::TileCandidate> rows = sim::sweep_tiles(workload, gpu, variant, grid, sim_options, jobs);

  // Kernels simulated alone: no host dispatch, whatever the runtime.
  const std::string scenario = workload_label(workload) + ", simulated kernels";
  std::string text;
  if (format == Format::table) {
    text = fmt::format("{} tiles on {}: {}; sorted by simulated time\n\n", variant.id, gpu.id, scenario);
    std::vector<Record> records;
    for (const sim::TileCandidate& c : rows) records.push_back(candidate_record(c));
    text += render_table(records, {"default", "block_m", "block_n", "stages", "warps", "smem_bytes", "registers",
                                   "spills", "ctas_per_sm", "time_seconds", "hbm_bytes", "l2_hit_rate", "waves", "sm_busy", "bound",
                                   "feasible"});
    text += "* the library's default tile; registers: what the fp32 S and O and bf16 P accumulators need per thread;\n"
            "  spills: those above 255, stored and reloaded every key block (priced in time)\n";
    if (std::any_of(rows.begin(), rows.end(), [](const sim::TileCandidate& c) { return c.sampled; })) {
      text += fmt::format("note: candidates above {:.0e} tile steps were simulated on a prefix of whole waves and scaled\n",
                          sim::kWhatIfMaxTileSteps);
    }
  } else {
    std::vector<Record> records;
    for (const sim::TileCandidate& c : rows) records.push_back(candidate_data(c));
    if (format == Format::csv) {
      text = render_csv(records);
    } else {
      nlohmann::json j{{"variant", variant.id}, {"gpu", gpu.id}, {"scenario", scenario}};
      j["candidates"] = nlohmann::json::array();
      for (const Record& r : records) j["candidates"].push_back(to_json(r));
      text = j.dump(2) + "\n";
    }
  }
  if (!plot_path.empty()) {
    const PlotSpec spec{fmt::format("{} on {}: N={}, d={}{} (simulated)", variant.id, gpu.id, workload.seq_kv,
                                    workload.head_dim, workload.causal ? ", causal" : ""),
                        "block N (key rows per step)", "block M (query rows per CTA)"};
    plot_heatmap(tile_heatmap(rows), spec, plot_path);
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli

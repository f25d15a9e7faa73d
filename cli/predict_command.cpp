// attnsim predict: one workload, one variant, one GPU.
#include <fmt/format.h>
#include <sstream>

#include "cli/app.h"
#include "cli/options.h"
#include "cli/sim_output.h"
#include "io/atomic_file.h"
#include "io/gpu_profile.h"
#include "io/report.h"
#include "model/error.h"
#include "model/variant.h"
#include "sim/chrome_trace.h"
#include "sim/simulate.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim predict: FLOPs, HBM bytes, extra memory, time and bound of one attention call.

example:
  attnsim predict --gpu h100-sxm --variant flash2 --seq 4096 --heads 32 --head-dim 128 --causal
  attnsim predict --gpu rtx4090 --variant eager --seq 16384 --format json --out eager.json
  attnsim predict --gpu h100-sxm --variant flash-decode --seq-q 1 --seq 131072 --heads 32 --kv-heads 8 --batch 16
  attnsim predict --gpu h100-sxm --variant flash2 --seq 32768 --causal --engine sim --trace schedule.json

The time is a roofline per kernel (tensor cores, exponentials on the SFU, FP32 vector work, HBM),
stretched by wave quantization, plus a launch latency per kernel; `bound` names the resource that
dominates. Efficiency constants and their sources: --format json lists them per kernel.

--engine sim runs the tile-level simulator instead (flash1, flash2, flash-decode; forward): CTAs
dispatched onto SM slots in launch order, every K/V tile load through an L2 model, so re-reads,
waves, tails and causal imbalance come from the schedule (docs/simulator.md). --trace writes the
schedule as Chrome trace / Perfetto JSON, one track per SM (open it in ui.perfetto.dev).
Above 4e8 tile steps it simulates whole waves in launch order and scales them (the output says
so); it refuses calls with more than 2^25 tiles (about N = 19M at 32 heads, d = 128) or whose
two-wave sample exceeds 2e9 steps: the closed form has no such limit.
)";

std::string render_prediction_table(const Prediction& p, const std::string& scenario) {
  std::ostringstream s;
  s << p.variant << " on " << p.gpu << ": " << scenario << "\n";
  if (p.cost.tiling) s << "tile " << tiling_label(*p.cost.tiling) << "\n";
  s << "\n";
  std::vector<Record> rows;
  for (const Field& f : prediction_record(p)) {
    static const std::vector<std::string> skip = {"gpu", "variant", "batch", "heads", "kv_heads", "seq_q", "seq_kv",
                                                  "head_dim", "head_dim_v", "causal", "window", "dtype", "pass"};
    if (std::find(skip.begin(), skip.end(), f.key) != skip.end()) continue;
    rows.push_back({{"quantity", f.key}, {"value", human_value(f.key, f.value)}});
  }
  s << render_table(rows, {"quantity", "value"}) << "\n";
  std::vector<Record> kernels;
  for (std::size_t i = 0; i < p.kernels.size(); ++i) {
    const KernelTime& t = p.kernels[i];
    kernels.push_back({{"kernel", t.name},
                       {"time_seconds", t.seconds},
                       {"bound", t.bound},
                       {"tensor_seconds", t.tensor_seconds},
                       {"exp_seconds", t.exp_seconds},
                       {"hbm_seconds", t.hbm_seconds},
                       {"hbm_bytes", p.cost.kernels[i].hbm_read_bytes + p.cost.kernels[i].hbm_write_bytes}});
  }
  s << render_table(kernels, {"kernel", "time_seconds", "bound", "tensor_seconds", "exp_seconds", "hbm_seconds", "hbm_bytes"});
  for (const std::string& note : p.cost.notes) s << "note: " << note << "\n";
  return s.str();
}

}  // namespace

int predict_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim predict");
  options.add_options()
      ("gpu", po::value<std::string>()->default_value("h100-sxm"), "GPU id (attnsim gpus) or path to a .toml profile")
      ("variant", po::value<std::string>()->default_value("flash2"), "attention variant (attnsim variants)")
      ("engine", po::value<std::string>()->default_value("model"), "model (closed form) or sim (tile-level simulator)")
      ("trace", po::value<std::string>(), "with --engine sim: write the CTA schedule as Chrome trace JSON to FILE");
  options.add(workload_options()).add(knob_options()).add(runtime_options("graph")).add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  const Format format = format_from(vm);
  const Workload workload = workload_from(vm);
  const VariantKnobs knobs = knobs_from(vm);
  const Variant& variant = find_variant(vm["variant"].as<std::string>());
  const Gpu gpu = at_clock_from(vm, find_gpu(vm["gpu"].as<std::string>()));
  const std::string out_path = out_path_from(vm);
  const std::string engine = vm["engine"].as<std::string>();
  if (engine != "model" && engine != "sim") throw InvalidInput("engine", "unknown engine '" + engine + "'; allowed: model, sim");
  const std::string trace_path = vm.count("trace") ? vm["trace"].as<std::string>() : "";
  if (!trace_path.empty() && engine != "sim") throw InvalidInput("trace", "needs --engine sim (the closed form has no schedule)");
  if (vm.count("trace")) check_output_path(trace_path, "trace");

  std::optional<sim::SimResult> simulated;
  if (engine == "sim") {
    sim::SimOptions sim_options;
    sim_options.record_timeline = !trace_path.empty();
    simulated = sim::simulate(workload, gpu, variant, knobs, sim_options);
  }
  const HostDispatch host = host_dispatch_from(vm);
  const Prediction p = simulated ? simulated->prediction : predict(workload, gpu, variant, knobs, host);
  // The simulator times the kernels alone: no host dispatch, whatever --runtime says.
  // The mask the variant modelled (sliding-window: causal with its window), not the options typed.
  Workload modelled = workload;
  modelled.causal = modelled_causal(p);
  modelled.window = modelled_window(p);
  const std::string scenario =
      simulated ? workload_label(modelled) + ", simulated kernels" : attention_scenario_label(modelled, host);

  std::string text;
  if (format == Format::table) {
    text = render_prediction_table(p, scenario);
    if (simulated) text += "\nsimulated schedule\n" + render_sim_table(*simulated);
  } else if (format == Format::csv) {
    Record record = prediction_record(p);
    if (simulated) append_sim_totals(record, *simulated);
    text = render_csv({record});
  } else {
    nlohmann::json j = to_json(prediction_record(p));
    j["scenario"] = scenario;
    j["notes"] = p.cost.notes;
    j["kernels"] = kernels_json(p);
    if (simulated) j["simulation"] = sim_json(*simulated);
    text = j.dump(2) + "\n";
  }
  if (!trace_path.empty()) write_file_atomically(trace_path, sim::chrome_trace_json(simulated->timeline), "trace");
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli

// attnsim ring: context parallelism (ring attention) of one prefill over P GPUs: per-GPU memory and
// time, and whether each ring step's key/value transfer hides under its attention compute.
#include <fmt/format.h>

#include "capacity/context_parallel.h"
#include "cli/app.h"
#include "cli/capacity_options.h"
#include "io/gpu_profile.h"
#include "io/model_config.h"
#include "model/error.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim ring: one long prefill split over P GPUs by context parallelism (ring attention).

Each GPU holds N/P tokens (zigzag-balanced, as Llama 3 trains), computes attention over its own
block, then P - 1 ring steps each over a key/value block received from its neighbour while passing
its own on. A step costs max(compute of half a block, transfer of one K and V block at the profile's
interconnect_gb_per_s); the transfer hides when compute is longer. Weights are replicated; the KV
cache, activations and logits are per GPU at N/P tokens. P = 1 is the single-GPU prediction.

examples:
  attnsim ring --model llama-3.1-8b --gpu h100-sxm --seq 1048576 --gpu-count 1,2,4,8,16
  attnsim ring --model llama-3.1-8b --gpu rtx4090 --seq 1048576 --gpu-count 8,16,32,64
  attnsim ring --model llama-3.1-70b --gpu h200 --seq 1048576 --gpu-count 8,16 --interconnect-gb-per-s 50
)";

}  // namespace

int ring_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim ring");
  options.add_options()
      ("model", po::value<std::string>()->default_value("llama-3.1-8b"), "attention model id (models/), .toml path or Hugging Face config.json")
      ("gpu", po::value<std::string>()->default_value("h100-sxm"), "GPU id (attnsim gpus) or path to a .toml profile")
      ("variant", po::value<std::string>()->default_value("flash2"), "attention variant, or sdpa (the backend PyTorch picks)")
      ("seq", po::value<std::string>()->default_value("1048576"), "prompt length N in tokens")
      ("gpu-count", po::value<std::string>()->default_value("1,2,4,8,16"), "comma list of GPU counts P")
      ("interconnect-gb-per-s", po::value<std::string>(), "GPU-to-GPU bandwidth per direction, 10^9 B/s (default: the profile's)");
  options.add(scenario_options("prefill")).add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  const Format format = format_from(vm);
  const capacity::ModelConfig model = find_model(vm["model"].as<std::string>());
  const Gpu gpu = at_clock_from(vm, find_gpu(vm["gpu"].as<std::string>()));
  capacity::Scenario base = scenario_from(vm);
  base.attention = attention_option(vm["variant"].as<std::string>(), "variant");
  base.context = context_option(vm);
  std::optional<double> bandwidth = positive_option(vm, "interconnect-gb-per-s", "a bandwidth in GB/s");
  if (bandwidth) *bandwidth *= 1e9;
  std::vector<int> counts;
  for (const std::string& item : split_list(vm["gpu-count"].as<std::string>())) counts.push_back(int(parse_integer(item, "gpu-count")));
  if (counts.empty()) throw InvalidInput("gpu-count", "is empty; give a comma list such as 1,2,4,8");
  const double capacity = capacity_bytes_from(vm, gpu);
  const std::string out_path = out_path_from(vm);

  std::vector<Record> rows;
  double single = 0;
  for (const int p : counts) {
    const capacity::RingPrefill r = capacity::ring_prefill(model, gpu, base, p, bandwidth);
    if (single == 0 || p == 1) single = p == 1 ? r.total_seconds : single;
    const bool hidden = r.step_transfer_seconds <= r.step_compute_seconds;
    rows.push_back({{"gpus", std::int64_t{p}},
                    {"tokens_per_gpu", r.tokens_per_gpu},
                    {"per_gpu_peak_bytes", r.peak_bytes},
                    {"fits", r.peak_bytes <= capacity},
                    {"step_compute_seconds", r.step_compute_seconds},
                    {"step_transfer_seconds", r.step_transfer_seconds},
                    // Null on one GPU: no ring, nothing to transfer.
                    {"transfer", p == 1 ? Value() : Value(std::string(hidden ? "hidden" : "exposed"))},
                    {"exposed_transfer_seconds", r.exposed_transfer_seconds},
                    {"attention_seconds", r.attention_seconds},
                    {"prefill_seconds", r.total_seconds}});
  }
  std::string text;
  if (format == Format::json) {
    nlohmann::json j{{"model", model.id}, {"gpu", gpu.id}, {"impl", base.attention}, {"context", base.context},
                     {"scenario", scenario_label(base)}};
    j["rows"] = nlohmann::json::array();
    for (const Record& r : rows) j["rows"].push_back(to_json(r));
    text = j.dump(2) + "\n";
  } else if (format == Format::csv) {
    text = render_csv(rows);
  } else {
    text = fmt::format("{} on {} x P, {} tokens with {}, interconnect {:.1f} GB/s per direction: {}\n\n", model.id, gpu.id,
                       base.context, base.attention,
                       bandwidth.value_or(gpu.interconnect_bytes_per_second.value_or(0.0)) / 1e9, scenario_label(base));
    text += render_table(rows, {"gpus", "tokens_per_gpu", "per_gpu_peak_bytes", yes_no("fits"), "step_compute_seconds",
                                "step_transfer_seconds", "transfer", "prefill_seconds"});
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli

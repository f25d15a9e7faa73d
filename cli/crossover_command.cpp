// attnsim crossover: a transformer and an SSM of similar size on one GPU. Prefill time and peak
// memory over N, and the lengths where the SSM becomes faster and smaller (bisection between the
// grid points that bracket each crossing).
#include <fmt/format.h>
#include <functional>
#include <set>

#include "capacity/memory.h"
#include "capacity/phase_time.h"
#include "capacity/whole_model_error_band.h"
#include "cli/app.h"
#include "cli/capacity_options.h"
#include "io/gpu_profile.h"
#include "io/model_config.h"
#include "io/plot.h"
#include "model/error.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim crossover: transformer vs SSM, prefill time and memory vs N on one GPU.

The transformer's attention grows as N^2 in time (and, materialized, in memory); the SSM's scan as N
with a state that does not grow. At short N the transformer's attention is cheap and the comparison
is GEMMs against GEMMs; the crossover is the first N where the SSM is faster (or smaller) and stays so.

examples:
  attnsim crossover --transformer llama-3.2-1b --ssm mamba2-780m --gpu h100-sxm
  attnsim crossover --transformer llama-3.2-1b --ssm mamba2-780m --gpu rtx4090 --variant eager --plot crossover.svg
  attnsim crossover --transformer qwen2.5-1.5b --ssm mamba2-2.7b --seq 1024:1048576:x2 --format csv
)";

struct Point {
  double transformer = 0;
  double ssm = 0;
};

// First grid length from which `gap` (transformer minus SSM) stays positive, refined by bisection
// with the grid point before it; 0 if the SSM never overtakes within the grid.
std::int64_t crossover(const std::vector<std::int64_t>& lengths, const std::function<double(std::int64_t)>& gap) {
  std::size_t first = lengths.size();
  for (std::size_t i = lengths.size(); i-- > 0;) {
    if (gap(lengths[i]) <= 0) break;
    first = i;
  }
  if (first == lengths.size()) return 0;
  if (first == 0) return lengths.front();
  std::int64_t lo = lengths[first - 1];  // SSM not ahead
  std::int64_t hi = lengths[first];      // SSM ahead
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (gap(mid) > 0 ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace

int crossover_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim crossover");
  options.add_options()
      ("transformer", po::value<std::string>()->default_value("llama-3.2-1b"), "attention model id, .toml path or Hugging Face config.json")
      ("ssm", po::value<std::string>()->default_value("mamba2-780m"), "SSM model id, .toml path or Hugging Face config.json")
      ("gpu", po::value<std::string>()->default_value("h100-sxm"), "GPU id (attnsim gpus) or path to a .toml profile")
      ("variant", po::value<std::string>()->default_value("flash2"), "attention variant of the transformer, or sdpa (the backend PyTorch picks)")
      ("seq", po::value<std::string>()->default_value("1024:1048576:x2"), "prompt lengths: START:END:xF, START:END:+S or list")
      ("plot", po::value<std::string>(), "draw prefill time vs N of both models to FILE (.svg or .png)");
  options.add(scenario_options("prefill")).add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  const Format format = format_from(vm);
  const capacity::ModelConfig transformer = find_model(vm["transformer"].as<std::string>());
  const capacity::ModelConfig ssm = find_model(vm["ssm"].as<std::string>());
  if (!transformer.has_attention()) throw InvalidInput("transformer", "'" + transformer.id + "' has no attention layers");
  if (ssm.mixer != capacity::Mixer::ssm) throw InvalidInput("ssm", "'" + ssm.id + "' is not a pure SSM (mixer ssm)");
  const Gpu gpu = at_clock_from(vm, find_gpu(vm["gpu"].as<std::string>()));
  capacity::Scenario base = scenario_from(vm);
  if (base.phase == capacity::Phase::decode) throw InvalidInput("phase", "crossover compares whole prompts; allowed: prefill, train, train-recompute");
  base.attention = attention_option(vm["variant"].as<std::string>(), "variant");
  const std::vector<std::int64_t> lengths = parse_seq_range(vm["seq"].as<std::string>(), "seq");
  for (const std::int64_t n : lengths) {
    if (n > kMaxSeqLen) throw InvalidInput("seq", "must be at most 2^40 tokens");
  }
  const double capacity = capacity_bytes_from(vm, gpu);
  const std::string out_path = out_path_from(vm);

  auto at = [&](std::int64_t n) {
    capacity::Scenario s = base;
    s.context = n;
    return s;
  };
  auto seconds = [&](const capacity::ModelConfig& m, std::int64_t n) { return capacity::phase_time(m, gpu, at(n)).total_seconds; };
  std::set<std::string> trust_notes;  // each distinct "how far to trust" of the times, for the table's notes
  auto bytes = [&](const capacity::ModelConfig& m, std::int64_t n) { return capacity::memory_at(m, gpu, at(n)).total_bytes; };

  std::vector<Record> rows;
  PlotSeries t_line{fmt::format("{} ({})", transformer.id, base.attention), {}};
  PlotSeries s_line{ssm.id, {}};
  for (const std::int64_t n : lengths) {
    const capacity::PhaseTime transformer_time = capacity::phase_time(transformer, gpu, at(n));
    const capacity::PhaseTime ssm_time = capacity::phase_time(ssm, gpu, at(n));
    const Point time{transformer_time.total_seconds, ssm_time.total_seconds};
    const Point memory{bytes(transformer, n), bytes(ssm, n)};
    const capacity::WholeModelTrust transformer_trust = capacity::whole_model_trust(transformer, at(n), gpu, transformer_time);
    const capacity::WholeModelTrust ssm_trust = capacity::whole_model_trust(ssm, at(n), gpu, ssm_time);
    rows.push_back({{"seq", n},
                    {"transformer_seconds", time.transformer},
                    {"ssm_seconds", time.ssm},
                    {"transformer_peak_bytes", memory.transformer},
                    {"ssm_peak_bytes", memory.ssm},
                    {"faster", time.ssm < time.transformer ? ssm.id : transformer.id},
                    {"transformer_fits", memory.transformer <= capacity},
                    {"ssm_fits", memory.ssm <= capacity},
                    {"transformer_error_band_percent", band_percent(transformer_trust)},
                    {"transformer_validated_on", transformer_trust.validated_on},
                    {"ssm_error_band_percent", band_percent(ssm_trust)},
                    {"ssm_validated_on", ssm_trust.validated_on}});
    trust_notes.insert(fmt::format("{}: {}", transformer.id, transformer_trust.validated_on));
    trust_notes.insert(fmt::format("{}: {}", ssm.id, ssm_trust.validated_on));
    t_line.points.push_back({double(n), time.transformer, memory.transformer <= capacity});
    s_line.points.push_back({double(n), time.ssm, memory.ssm <= capacity});
  }
  const std::int64_t time_cross = crossover(lengths, [&](std::int64_t n) { return seconds(transformer, n) - seconds(ssm, n); });
  const std::int64_t memory_cross = crossover(lengths, [&](std::int64_t n) { return bytes(transformer, n) - bytes(ssm, n); });
  auto label = [&](std::int64_t n) {
    if (n == 0) return std::string("none within the lengths given");
    if (n == lengths.front()) return fmt::format("{} or less (already at the shortest length given)", n);
    return std::to_string(n);
  };

  std::string text;
  if (format == Format::json) {
    // Null where the SSM never overtakes within the lengths given.
    const auto or_null = [](std::int64_t n) { return n == 0 ? nlohmann::json(nullptr) : nlohmann::json(n); };
    nlohmann::json j{{"transformer", transformer.id},
                     {"ssm", ssm.id},
                     {"gpu", gpu.id},
                     {"impl", base.attention},
                     {"attention_backend", capacity::attention_backend(transformer, gpu, base)},
                     {"scenario", scenario_label(base)},
                     {"time_crossover_seq", or_null(time_cross)},
                     {"memory_crossover_seq", or_null(memory_cross)}};
    j["points"] = nlohmann::json::array();
    for (const Record& r : rows) j["points"].push_back(to_json(r));
    text = j.dump(2) + "\n";
  } else if (format == Format::csv) {
    text = render_csv(rows);
  } else {
    text = fmt::format("{} ({}) vs {} on {} ({} usable): {}\n", transformer.id, base.attention, ssm.id, gpu.id,
                       human_bytes(capacity), scenario_label(base));
    text += sdpa_backend_note(base.attention, transformer, gpu, base) + "\n";
    text += render_table(rows, {"seq", "transformer_seconds", "ssm_seconds", "transformer_peak_bytes", "ssm_peak_bytes", "faster"});
    text += fmt::format("\n{} is faster from N = {}\n{} needs less memory from N = {}\n", ssm.id, label(time_cross), ssm.id,
                        label(memory_cross));
    for (const std::string& note : trust_notes) text += fmt::format("note: predicted time of {}\n", note);
  }
  if (vm.count("plot")) {
    plot_loglog({t_line, s_line},
                {fmt::format("Prefill time on {}: {} vs {}", gpu.id, transformer.id, ssm.id), "prompt length N (tokens)",
                 "predicted prefill time (s)"},
                vm["plot"].as<std::string>());
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli

// attnsim capacity: the longest context a whole model reaches on one GPU, per attention
// implementation, the memory breakdown there and the predicted time; --plot stacks memory vs N.
#include <fmt/format.h>

#include "capacity/longest_context.h"
#include "capacity/whole_model_error_band.h"
#include "cli/app.h"
#include "cli/capacity_options.h"
#include "io/gpu_profile.h"
#include "io/model_config.h"
#include "io/plot.h"
#include "model/error.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim capacity: how long a context fits on one GPU, for a whole model.

For each attention implementation, the longest context N (found by bisection: the peak at N fits,
at N + 1 it does not), the memory breakdown at that N and the predicted time of the phase there.
The peak is what persists (weights, KV cache, SSM state, optimizer states, saved activations, CUDA
context) plus the largest single step of one layer (attention, SSM scan or MLP) or the logits:
layers run one after another, so their working sets do not add up.

examples:
  attnsim capacity --model llama-3.2-1b --gpu rtx4090 --variant eager,sdpa-math,flash2
  attnsim capacity --model llama-3.2-1b --gpu rtx4090 --variant eager,flash2 --logits all --plot wall.svg
  attnsim capacity --model llama-3.1-8b --gpu h100-sxm --phase train-recompute --variant flash2
  attnsim capacity --model mamba2-780m --gpu rtx4090 --format json
  attnsim capacity --model my-model.toml --gpu my-gpu.toml --capacity-gib 20
  attnsim capacity --model all --gpu rtx4090,h100-sxm --variant eager,flash2
  attnsim capacity --model llama-3.1-8b --gpu h100-sxm --variant flash2 --seq 131072
  attnsim capacity --model deepseek-v3 --gpu h200 --variant flash2 --seq 131072 --weight-dtype int4

Models: the files in models/ (each field with its source; schema in models/SCHEMA.md) or a path to
your own .toml. SSM-only models have no attention, so --variant does not apply to them. Mixtures of
experts hold every expert in memory; --weight-dtype fp8|int8|int4 stores the decoder's matrices
quantized (GPTQ/AWQ-style groups of --weight-group-size weights with a 16-bit scale each).
)";

struct ImplResult {
  std::string model;
  std::string gpu;
  double capacity_bytes = 0;
  std::string impl;
  std::string backend;  // the variant that prices the global attention layers: impl, or PyTorch's pick for sdpa
  int backend_sm = 0;   // the GPU's compute capability, named where PyTorch's pick is reported
  capacity::Scenario scenario;
  capacity::LongestContext longest;
  std::optional<capacity::PhaseTime> time;
  bool fixed = false;  // --seq: the breakdown at a given N instead of the longest that fits
  // What the whole-model error bands are looked up for; both outlive the results.
  const capacity::ModelConfig* config = nullptr;
  const Gpu* gpu_profile = nullptr;
};

// How far to trust a result's time (none for a result without a time).
capacity::WholeModelTrust time_trust(const ImplResult& r) {
  if (!r.time) return {};
  // The time is the one at the reported context (the longest that fits, or --seq): the band is
  // looked up there, not at the scenario's default length.
  capacity::Scenario timed_at = r.scenario;
  timed_at.context = r.longest.tokens;
  return capacity::whole_model_trust(*r.config, timed_at, *r.gpu_profile, *r.time);
}

Record summary_record(const ImplResult& r) {
  Record rec{{"model", r.model},
             {"gpu", r.gpu},
             {"impl", r.impl},
             {"attention_backend", r.backend.empty() ? Value() : Value(r.backend)}};
  if (r.fixed) {
    rec.push_back({"context", r.longest.tokens});
    rec.push_back({"fits", r.longest.at.total_bytes <= r.capacity_bytes});
  } else {
    // A state that does not grow with N has no longest context: null, and `unbounded` says why.
    rec.push_back({"longest_context", r.longest.unbounded ? Value() : Value(r.longest.tokens)});
  }
  const std::string parts = peak_parts_label(r.longest.at);
  rec.insert(rec.end(), {{"unbounded", r.longest.unbounded},
                         {"peak_step", r.longest.at.peak_step},
                         {"parts_at_peak", parts.empty() ? Value() : Value(parts)},
                         {"peak_bytes", r.longest.at.total_bytes},
                         {"next_token_peak_bytes", r.longest.one_more.total_bytes},
                         {"capacity_bytes", r.capacity_bytes}});
  // No time where nothing fits or nothing grows: every time field null, so every row has the same keys.
  const capacity::PhaseTime t = r.time.value_or(capacity::PhaseTime{});
  const auto timed = [&](double value) { return r.time ? Value(value) : Value(); };
  const auto timed_text = [&](const std::string& text) { return r.time ? Value(text) : Value(); };
  rec.push_back({"predicted_seconds", timed(t.total_seconds)});
  rec.push_back({"attention_seconds", timed(t.attention_seconds + t.ssm_seconds)});
  rec.push_back({"gemm_seconds", timed(t.gemm_seconds)});
  rec.push_back({"elementwise_seconds", timed(t.elementwise_seconds)});
  rec.push_back({"launch_seconds", timed(t.launch_seconds)});
  rec.push_back({"gpu_seconds", timed(t.gpu_seconds)});
  rec.push_back({"host_seconds", timed(t.host_seconds)});
  rec.push_back({"tokens_per_second", timed(t.tokens_per_second)});
  const capacity::WholeModelTrust trust = time_trust(r);
  rec.push_back({"bound", timed_text(std::string(capacity::time_bound(t)))});
  rec.push_back({"error_band_percent", band_percent(trust)});
  rec.push_back({"validated_on", timed_text(trust.validated_on)});
  return rec;
}

std::string breakdown_table(const std::vector<ImplResult>& results) {
  std::vector<Column> columns = {"part"};
  for (const ImplResult& r : results) columns.push_back(r.impl);
  std::vector<Record> rows;
  for (const std::string& part : capacity::part_names()) {
    Record row{{"part", part}};
    bool any = false;
    for (const ImplResult& r : results) {
      for (const capacity::MemoryPart& p : r.longest.at.parts) {
        if (p.name != part) continue;
        any = any || p.bytes > 0;
        row.push_back({r.impl, p.bytes > 0 ? human_bytes(p.bytes) + (p.at_peak ? " *" : "") : std::string("-")});
      }
    }
    if (any) rows.push_back(row);
  }
  return render_table(rows, columns);
}

Column longest_context_column() { return null_means("longest_context", "unbounded"); }

std::vector<std::int64_t> plot_lengths(const std::vector<ImplResult>& results) {
  std::int64_t longest = 1024;
  for (const ImplResult& r : results) {
    if (!r.longest.unbounded) longest = std::max(longest, r.longest.tokens);
  }
  std::vector<std::int64_t> lengths;
  for (std::int64_t n = 256; n <= 2 * longest && n <= kMaxSeqLen; n *= 2) lengths.push_back(n);
  return lengths;
}

void draw(const std::vector<ImplResult>& results, const capacity::ModelConfig& model, const Gpu& gpu, double capacity,
          const std::string& path) {
  const std::vector<std::int64_t> lengths = plot_lengths(results);
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  std::vector<StackedPanel> panels;
  for (const ImplResult& r : results) {
    StackedPanel panel{fmt::format("{}: longest context {}", r.impl, tokens_label(r.longest.tokens, r.longest.unbounded)), {}, {}, {}};
    if (!r.longest.unbounded && r.longest.tokens > 0) panel.marker_x = double(r.longest.tokens);
    std::vector<capacity::MemoryBreakdown> points;
    for (const std::int64_t n : lengths) {
      capacity::Scenario s = r.scenario;
      s.context = n;
      points.push_back(capacity::memory_at(model, gpu, s));
      panel.x.push_back(double(n));
    }
    for (std::size_t part = 0; part < capacity::part_names().size(); ++part) {
      // One colour per part, the same in every panel (colour-blind-safe Okabe-Ito, then greys).
      static const char* const kColors[] = {"#0072B2", "#56B4E9", "#009E73", "#E69F00", "#F0E442", "#CC79A7",
                                            "#999999", "#D55E00", "#6A3D9A", "#B15928", "#000000", "#DDDDDD"};
      StackedLayer layer{capacity::part_names()[part], {}, kColors[part % 12]};
      bool any = false;
      for (const capacity::MemoryBreakdown& b : points) {
        const capacity::MemoryPart& p = b.parts[part];
        layer.y.push_back(p.at_peak ? p.bytes / kGiB : 0.0);
        any = any || (p.at_peak && p.bytes > 0);
      }
      if (any) panel.layers.push_back(std::move(layer));
    }
    panels.push_back(std::move(panel));
  }
  plot_stacked(panels, capacity / kGiB, fmt::format("{} capacity", gpu.id),
               {fmt::format("{} on {}: {}", model.id, gpu.id, scenario_label(results.front().scenario)),
                "context length N (tokens)", "peak memory (GiB), parts alive at the peak"},
               path);
}

}  // namespace

int capacity_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim capacity");
  options.add_options()
      ("model", po::value<std::string>()->default_value("llama-3.2-1b"), "model ids (models/), .toml paths, Hugging Face config.json paths, or all (comma list)")
      ("gpu", po::value<std::string>()->default_value("rtx4090"), "GPU ids (attnsim gpus), .toml paths, or all (comma list)")
      ("variant", po::value<std::string>()->default_value("eager,sdpa-math,flash2"), "comma list of attention variants (attnsim variants), or sdpa: the backend PyTorch's scaled_dot_product_attention picks on each GPU")
      ("seq", po::value<std::string>(), "context length N in tokens: instead of searching: the breakdown and time at this N, and whether it fits")
      ("plot", po::value<std::string>(), "draw peak memory vs N stacked by part, per implementation, to FILE (.svg or .png; one model and GPU)");
  options.add(scenario_options("prefill")).add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  const Format format = format_from(vm);
  const std::vector<capacity::ModelConfig> models = models_option(vm, "model");
  const std::vector<Gpu> gpus = gpus_option(vm, "gpu");
  const capacity::Scenario base = scenario_from(vm);
  std::vector<std::string> impls;  // the variants' own ids, whatever case was typed
  for (const std::string& typed : split_list(vm["variant"].as<std::string>())) {
    impls.push_back(attention_option(typed, "variant"));
  }
  if (impls.empty()) throw InvalidInput("variant", "is empty; name at least one (attnsim variants)");
  const bool single = models.size() == 1 && gpus.size() == 1;
  if (vm.count("plot") && !single) throw InvalidInput("plot", "draws one model on one GPU; name one --model and one --gpu");
  const std::string out_path = out_path_from(vm);
  const std::int64_t fixed_context = vm.count("seq") ? context_option(vm) : 0;  // 0: search

  std::vector<ImplResult> results;
  for (const capacity::ModelConfig& model : models) {
    for (const Gpu& gpu : gpus) {
      const double capacity = capacity_bytes_from(vm, gpu);
      const std::vector<std::string> model_impls = model.has_attention() ? impls : std::vector<std::string>{"none (ssm)"};
      for (const std::string& impl : model_impls) {
        const int sm = gpu.compute_capability_major * 10 + gpu.compute_capability_minor;
        ImplResult r{model.id, gpu.id, capacity, impl, "", sm, base, {}, std::nullopt};
        r.config = &model;
        r.gpu_profile = &gpu;
        if (model.has_attention()) {
          r.scenario.attention = impl;
          r.backend = capacity::attention_backend(model, gpu, r.scenario);
        }
        if (fixed_context > 0) {
          r.fixed = true;
          capacity::Scenario at = r.scenario;
          at.context = fixed_context;
          r.longest.tokens = fixed_context;
          r.longest.at = capacity::memory_at(model, gpu, at);
          at.context += 1;
          r.longest.one_more = capacity::memory_at(model, gpu, at);
        } else {
          r.longest = capacity::longest_context(model, gpu, r.scenario, capacity);
        }
        if (r.longest.tokens > 0 && !r.longest.unbounded) {
          capacity::Scenario at = r.scenario;
          at.context = r.longest.tokens;
          r.time = capacity::phase_time(model, gpu, at);
        }
        results.push_back(std::move(r));
      }
    }
  }

  std::string text;
  if (format == Format::json) {
    nlohmann::json j{{"scenario", scenario_label(base)}};
    j["results"] = nlohmann::json::array();
    for (const ImplResult& r : results) {
      nlohmann::json one = to_json(summary_record(r));
      one["breakdown"] = to_json(breakdown_record(r.longest.at));
      j["results"].push_back(one);
    }
    text = j.dump(2) + "\n";
  } else if (format == Format::csv) {
    std::vector<Record> rows;
    for (const ImplResult& r : results) {
      Record row{{"phase", std::string(capacity::phase_name(base.phase))}};
      for (const Field& f : summary_record(r)) row.push_back(f);
      for (const Field& f : breakdown_record(r.longest.at)) row.push_back(f);
      rows.push_back(row);
    }
    text = render_csv(rows);
  } else {
    std::vector<Record> rows;
    for (const ImplResult& r : results) rows.push_back(summary_record(r));
    if (single) {
      text = fmt::format("{} on {} ({} usable): {}\n\n", results.front().model, results.front().gpu,
                         human_bytes(results.front().capacity_bytes), scenario_label(base));
      if (fixed_context > 0) {
        text += render_table(rows, {"impl", "context", yes_no("fits"), "peak_step", "peak_bytes", "predicted_seconds",
                                    fixed_decimals("tokens_per_second", 0)});
        text += "\nmemory at that context (* = alive at the peak):\n" + breakdown_table(results);
      } else {
        text +=
            render_table(rows, {"impl", longest_context_column(), "peak_step", "peak_bytes", "next_token_peak_bytes",
                                "predicted_seconds", fixed_decimals("tokens_per_second", 0)});
        text += "\nmemory at the longest context (* = alive at the peak):\n" + breakdown_table(results);
      }
    } else {
      text = fmt::format("{}\n\n", scenario_label(base));
      text +=
          render_table(rows, {"model", "gpu", "impl", fixed_context > 0 ? Column("context") : longest_context_column(),
                              "peak_step", fixed_context > 0 ? "peak_bytes" : "predicted_seconds"});
    }
    for (const ImplResult& r : results) {
      const std::string who = single ? r.impl : fmt::format("{} on {} with {}", r.model, r.gpu, r.impl);
      if (r.longest.tokens == 0) {
        text += fmt::format("note: {}: nothing fits: {} at one token, the weights alone {}\n", who,
                            human_bytes(r.longest.at.total_bytes), human_bytes(r.longest.at.part("weights")));
      }
      text += sdpa_backend_note(who, r.impl, r.backend, r.gpu, r.backend_sm);
      if (r.time && single) text += fmt::format("note: {}: predicted time {}\n", who, time_trust(r).validated_on);
      if (r.time) text += host_bound_note(who, *r.time, r.scenario);
      if (r.longest.unbounded) text += fmt::format("note: {}: memory does not grow with N (recurrent state only)\n", who);
    }
  }
  if (vm.count("plot")) draw(results, models.front(), gpus.front(), results.front().capacity_bytes, vm["plot"].as<std::string>());
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli

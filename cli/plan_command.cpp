// attnsim plan: which GPU for a model at a given context. One row per GPU: whether prefill fits
// (and if not, what does not), prefill time, decode tokens/s there, GPUs needed, cost per token.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "capacity/memory.h"
#include "capacity/phase_time.h"
#include "capacity/whole_model_error_band.h"
#include "cli/app.h"
#include "cli/capacity_options.h"
#include "io/gpu_profile.h"
#include "io/model_config.h"
#include "model/error.h"
#include "model/sdpa_dispatch.h"

namespace attnsim::cli {
namespace {

constexpr const char* kHelp = R"(attnsim plan: which GPU for a model at a context length.

One row per GPU: does the prefill of --seq tokens fit (if not: the peak, and the part that
dominates it), the predicted prefill time, the decode rate at that context (tokens/s: each step priced kernel by kernel, the
longer of its GPU time and, in eager mode, its host dispatch), how many GPUs are needed, and the cost per
million tokens where the profile carries a price (price_usd_per_hour, with its source): the GPU's
hourly price over the tokens it processes per hour (prefill: prompt tokens; decode: generated tokens
at batch --batch). Decode rates are computed as if the model fitted. The prefill time carries its
error band from the end-to-end runs (prefill_error_band_percent, prefill_validated_on), the decode
rate its own (decode_error_band_percent, decode_validated_on).

GPUs needed: the smallest power of two P such that the peak, with weights, KV cache and activations
split evenly P ways (tensor parallelism) and a CUDA context on each GPU, fits, and such that the
prefill time divided by P meets --latency-budget. Both assume perfect scaling; communication
between the GPUs is not modelled here.

examples:
  attnsim plan --model llama-3.1-8b --seq 131072
  attnsim plan --model llama-3.1-8b --seq 131072 --latency-budget 2 --gpu h100-sxm,h200,rtx4090
  attnsim plan --model llama-3.1-70b --seq 32768 --variant flash2 --format csv --out plan.csv
  attnsim plan --model deepseek-v3 --seq 131072 --gpu h100-sxm,h200,b200 --weight-dtype int4
)";

constexpr int kMaxGpus = 1024;

struct GpusNeeded {
  int for_memory = 0;  // 0: does not fit even split kMaxGpus ways
  int total = 0;
};

// Smallest power of two P with (peak - context) / P + context within the capacity.
int gpus_for_memory(const capacity::MemoryBreakdown& b, double context_bytes, double capacity) {
  const double shared = b.total_bytes - context_bytes;
  for (int p = 1; p <= kMaxGpus; p *= 2) {
    if (shared / p + context_bytes <= capacity) return p;
  }
  return 0;
}

int gpus_for_latency(double seconds, std::optional<double> budget) {
  if (!budget) return 1;
  int p = 1;
  while (p < kMaxGpus && seconds / p > *budget) p *= 2;
  return seconds / p <= *budget ? p : 0;
}

std::string why_not(const capacity::MemoryBreakdown& b, double capacity) {
  std::string largest;
  double largest_bytes = 0;
  for (const capacity::MemoryPart& p : b.parts) {
    if (p.at_peak && p.bytes > largest_bytes) {
      largest = p.name;
      largest_bytes = p.bytes;
    }
  }
  return fmt::format("peak {} > {}; largest part {} {}", human_bytes(b.total_bytes), human_bytes(capacity), largest,
                     human_bytes(largest_bytes));
}

// With perfect scaling P GPUs are P times faster and P times dearer, so the cost per token is the
// one-GPU figure whatever the count. Null where the profile carries no price.
Value usd_per_million(std::optional<double> price_per_hour, double tokens_per_second) {
  if (!price_per_hour || tokens_per_second <= 0) return {};
  return *price_per_hour / 3600.0 / tokens_per_second * 1e6;
}

Record plan_row(const capacity::ModelConfig& model, const Gpu& gpu, const capacity::Scenario& base,
                std::optional<double> budget) {
  Record r{{"gpu", gpu.id}, {"memory_bytes", gpu.usable_or_capacity_bytes()}};
  capacity::Scenario prefill = base;
  prefill.phase = capacity::Phase::prefill;
  capacity::Scenario decode = base;
  decode.phase = capacity::Phase::decode;
  try {
    const capacity::MemoryBreakdown b = capacity::memory_at(model, gpu, prefill);
    const capacity::PhaseTime t = capacity::phase_time(model, gpu, prefill);
    const capacity::PhaseTime d = capacity::phase_time(model, gpu, decode);
    const bool fits = b.total_bytes <= gpu.usable_or_capacity_bytes();
    const int for_memory = gpus_for_memory(b, base.runtime.cuda_context_bytes, gpu.usable_or_capacity_bytes());
    const int for_latency = gpus_for_latency(t.total_seconds, budget);
    const int gpus = for_memory == 0 || for_latency == 0 ? 0 : std::max(for_memory, for_latency);
    r.push_back({"fits", fits});
    r.push_back({"peak_bytes", b.total_bytes});
    r.push_back({"prefill_seconds", t.total_seconds});
    r.push_back({"prefill_bound", std::string(capacity::time_bound(t))});
    const capacity::WholeModelTrust prefill_trust = capacity::whole_model_trust(model, prefill, gpu, t);
    r.push_back({"prefill_error_band_percent", band_percent(prefill_trust)});
    r.push_back({"prefill_validated_on", prefill_trust.validated_on});
    r.push_back({"decode_tokens_per_second", d.tokens_per_second});
    r.push_back({"decode_bound", std::string(capacity::time_bound(d))});
    const capacity::WholeModelTrust decode_trust = capacity::whole_model_trust(model, decode, gpu, d);
    r.push_back({"decode_error_band_percent", band_percent(decode_trust)});
    r.push_back({"decode_validated_on", decode_trust.validated_on});
    r.push_back({"gpus_needed", gpus == 0 ? Value() : Value(std::int64_t{gpus})});  // null: more than kMaxGpus
    r.push_back({"prefill_usd_per_mtok", usd_per_million(gpu.price_usd_per_hour, t.tokens_per_second)});
    r.push_back({"decode_usd_per_mtok", usd_per_million(gpu.price_usd_per_hour, d.tokens_per_second)});
    std::string why = fits ? std::string("") : why_not(b, gpu.usable_or_capacity_bytes());
    if (budget && t.total_seconds > *budget) {
      why += fmt::format("{}prefill {} > budget {}", why.empty() ? "" : "; ", human_seconds(t.total_seconds), human_seconds(*budget));
    }
    r.push_back({"why", why.empty() ? Value() : Value(why)});
    const std::string backend = capacity::attention_backend(model, gpu, prefill);
    r.push_back({"attention_backend", backend.empty() ? Value() : Value(backend)});
  } catch (const InvalidInput& e) {
    // An implementation this GPU cannot run (FlashAttention-3 needs Hopper): the reason is the row,
    // every figure it cannot give is null.
    r.push_back({"fits", false});
    for (const char* key :
         {"peak_bytes", "prefill_seconds", "prefill_bound", "prefill_error_band_percent", "prefill_validated_on",
          "decode_tokens_per_second", "decode_bound", "decode_error_band_percent", "decode_validated_on", "gpus_needed",
          "prefill_usd_per_mtok", "decode_usd_per_mtok"}) {
      r.push_back({key, Value()});
    }
    r.push_back({"why", std::string(e.what())});
    r.push_back({"attention_backend", Value()});
  }
  return r;
}

// Under eager dispatch a short prompt's time is the host's, not the GPU's: equal across GPUs whose
// backends dispatch the same operators. The note names the rows where that is so, lest the table read
// as the GPUs being equal.
std::string host_bound_gpus_note(const std::vector<Record>& rows, const capacity::Scenario& base) {
  std::string note;
  for (const char* phase : {"prefill", "decode"}) {
    std::string gpus;
    for (const Record& r : rows) {
      for (const Field& f : r) {
        if (f.key == std::string(phase) + "_bound" && f.value == Value(std::string("host"))) {
          gpus += (gpus.empty() ? "" : ", ") + std::get<std::string>(r.front().value);
        }
      }
    }
    if (!gpus.empty()) note += fmt::format("{}{} on {}", note.empty() ? "" : "; ", phase, gpus);
  }
  if (note.empty()) return "";
  return fmt::format(
      "note: host-bound (the CPU's eager dispatch sets the time, not the GPU; --host-us-per-op {:.1f}): {}; "
      "--runtime graph prices the GPUs alone\n",
      1e6 * base.runtime.host_seconds_per_operator, note);
}

// How far to trust the table's times: each distinct validated_on text of a phase, with its GPUs.
std::string trust_notes(const std::vector<Record>& rows) {
  std::string notes;
  for (const auto& [key, label] : {std::pair{"prefill_validated_on", "prefill time"}, {"decode_validated_on", "decode rate"}}) {
    std::vector<std::pair<std::string, std::string>> texts;  // text, GPUs; in the rows' order
    for (const Record& r : rows) {
      for (const Field& f : r) {
        if (f.key != key || !std::holds_alternative<std::string>(f.value)) continue;
        const std::string& text = std::get<std::string>(f.value);
        const std::string& gpu = std::get<std::string>(r.front().value);
        auto same = std::find_if(texts.begin(), texts.end(), [&](const auto& t) { return t.first == text; });
        if (same == texts.end()) {
          texts.emplace_back(text, gpu);
        } else {
          same->second += ", " + gpu;
        }
      }
    }
    for (const auto& [text, gpus] : texts) {
      const bool every = texts.size() == 1 && rows.size() > 1;
      notes += fmt::format("note: {} on {}: {}\n", label, every ? std::string("every GPU") : gpus, text);
    }
  }
  return notes;
}

}  // namespace

int plan_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim plan");
  options.add_options()
      ("model", po::value<std::string>()->default_value("llama-3.1-8b"), "model id (models/), a .toml model file or a Hugging Face config.json")
      ("seq", po::value<std::string>()->default_value("131072"), "prompt length N in tokens")
      ("gpu", po::value<std::string>()->default_value("all"), "all, or a comma list of GPU ids / .toml paths")
      ("variant", po::value<std::string>()->default_value("flash2"), "attention variant (attnsim variants), or sdpa (the backend PyTorch picks)")
      ("latency-budget", po::value<std::string>(), "prefill time allowed, in seconds (e.g. 2)");
  po::options_description scenario = scenario_options("prefill");
  options.add(scenario).add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  const Format format = format_from(vm);
  const capacity::ModelConfig model = find_model(vm["model"].as<std::string>());
  capacity::Scenario base = scenario_from(vm);
  base.context = context_option(vm);
  base.attention = attention_option(vm["variant"].as<std::string>(), "variant");
  const std::optional<double> budget = positive_option(vm, "latency-budget", "seconds");
  const std::vector<Gpu> gpus = gpus_option(vm, "gpu");
  const std::string out_path = out_path_from(vm);

  std::vector<Record> rows;
  for (const Gpu& gpu : gpus) rows.push_back(plan_row(model, gpu, base, budget));
  std::string text;
  std::vector<Column> columns = {"gpu",
                                       "memory_bytes",
                                       yes_no("fits"),
                                       "peak_bytes",
                                       "prefill_seconds",
                                       fixed_decimals("decode_tokens_per_second", 1),
                                       null_means("gpus_needed", fmt::format(">{}", kMaxGpus)),
                                       fixed_decimals("prefill_usd_per_mtok", 3),
                                       fixed_decimals("decode_usd_per_mtok", 3),
                                       "why"};
  // With sdpa the backend differs by GPU: the table names it.
  if (base.attention == kSdpaDefaultDispatch) columns.insert(columns.begin() + 1, "attention_backend");
  if (format == Format::json) {
    nlohmann::json j{{"model", model.id}, {"context", base.context}, {"impl", base.attention}, {"scenario", scenario_label(base)}};
    j["gpus"] = nlohmann::json::array();
    for (const Record& r : rows) j["gpus"].push_back(to_json(r));
    text = j.dump(2) + "\n";
  } else if (format == Format::csv) {
    text = render_csv(rows);
  } else {
    text = fmt::format("{} at {} tokens with {}: {}{}\n\n", model.id, base.context, base.attention, scenario_label(base),
                       budget ? fmt::format(", prefill budget {}", human_seconds(*budget)) : "");
    text += render_table(rows, columns);
    text += host_bound_gpus_note(rows, base);
    text += trust_notes(rows);
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli

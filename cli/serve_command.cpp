// attnsim serve: long-context serving. Decode throughput over context length and batch, each step
// priced kernel by kernel (weights and every sequence's KV cache read from HBM, the step's launches
// and, in eager mode, its host dispatch), and the largest batch whose caches fit: as contexts grow
// the batch that fits shrinks and aggregate throughput collapses.
#include <fmt/format.h>

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

constexpr const char* kHelp = R"(attnsim serve: decode throughput of a whole model vs context length and batch.

Each decode step reads every weight once and every sequence's KV cache (or SSM state) once, so its
GPU time is at least (weights + B x cache(N)) / HBM bandwidth; the step is priced kernel by kernel
(every GEMM, attention call and elementwise kernel with its launch), and in eager mode (--runtime
eager, the default) PyTorch's host dispatch per operator can outlast the GPU: the step takes the
longer of the two, and tokens/s = B / step time. Each rate carries how far to trust it
(error_band_percent, validated_on from the end-to-end runs; no end-to-end run timed a decode step). A
bigger batch amortizes the weights but not the caches; the largest batch that fits is found by
bisection on the decode peak (weights, caches, one step's activations, CUDA context). Of a mixture
of experts' weights a step reads the experts its B tokens are routed to: E x (1 - (1 - k/E)^B) of
E per layer when each token picks k uniformly (the assumption; real routing is skewed).

examples:
  attnsim serve --model llama-3.1-8b --gpu h100-sxm
  attnsim serve --model llama-3.1-8b --gpu h100-sxm --seq 4096:131072:x2 --batch 1,8,64 --plot serve.svg
  attnsim serve --model mistral-7b --gpu rtx4090 --kv-dtype fp8-e4m3 --format csv
  attnsim serve --model mixtral-8x7b --gpu h100-sxm --weight-dtype int4 --batch 1,2,8
)";

constexpr std::int64_t kMaxBatch = std::int64_t{1} << 20;

capacity::MemoryBreakdown decode_memory(const capacity::ModelConfig& m, const Gpu& gpu, capacity::Scenario s,
                                        std::int64_t context, std::int64_t batch) {
  s.context = context;
  s.batch = batch;
  return capacity::memory_at(m, gpu, s);
}

// Largest batch whose decode peak fits, 0 if not even one sequence does.
std::int64_t largest_batch(const capacity::ModelConfig& m, const Gpu& gpu, const capacity::Scenario& s,
                           std::int64_t context, double capacity) {
  if (decode_memory(m, gpu, s, context, 1).total_bytes > capacity) return 0;
  if (decode_memory(m, gpu, s, context, kMaxBatch).total_bytes <= capacity) return kMaxBatch;
  std::int64_t lo = 1;
  std::int64_t hi = kMaxBatch;
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (decode_memory(m, gpu, s, context, mid).total_bytes <= capacity ? lo : hi) = mid;
  }
  return lo;
}

// A decode step's rate at this context and batch, and how far to trust it (the whole-model bands).
struct DecodeRate {
  double tokens_per_second = 0;
  capacity::WholeModelTrust trust;
};

DecodeRate decode_rate(const capacity::ModelConfig& m, const Gpu& gpu, capacity::Scenario s, std::int64_t context,
                       std::int64_t batch) {
  s.context = context;
  s.batch = batch;
  const capacity::PhaseTime time = capacity::phase_time(m, gpu, s);
  return {time.tokens_per_second, capacity::whole_model_trust(m, s, gpu, time)};
}

void add_trust(Record& row, const capacity::WholeModelTrust& trust) {
  row.push_back({"error_band_percent", band_percent(trust)});
  row.push_back({"validated_on", trust.validated_on});
}

}  // namespace

int serve_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& /*err*/) {
  po::options_description options("attnsim serve");
  options.add_options()
      ("model", po::value<std::string>()->default_value("llama-3.1-8b"), "model id (models/), a .toml model file or a Hugging Face config.json")
      ("gpu", po::value<std::string>()->default_value("h100-sxm"), "GPU id (attnsim gpus) or path to a .toml profile")
      ("variant", po::value<std::string>()->default_value("flash2"), "attention variant whose decode workspace is counted, or sdpa (the backend PyTorch picks)")
      ("seq", po::value<std::string>()->default_value("4096:131072:x2"), "cached tokens per sequence: START:END:xF, START:END:+S or list")
      ("batch", po::value<std::string>()->default_value("1,8,32,128"), "comma list of batch sizes for the grid")
      ("plot", po::value<std::string>(), "draw tokens/s vs context per batch, and at the largest batch, to FILE (.svg or .png)");
  options.add(scenario_options("decode", false)).add(output_options());
  const po::variables_map vm = parse(args, options);
  if (vm.count("help")) {
    out << kHelp << "\n" << options;
    return 0;
  }
  const Format format = format_from(vm);
  const capacity::ModelConfig model = find_model(vm["model"].as<std::string>());
  const Gpu gpu = at_clock_from(vm, find_gpu(vm["gpu"].as<std::string>()));
  capacity::Scenario base = scenario_from(vm);
  if (base.phase != capacity::Phase::decode) throw InvalidInput("phase", "attnsim serve models decoding; allowed: decode");
  base.attention = attention_option(vm["variant"].as<std::string>(), "variant");
  const double capacity = capacity_bytes_from(vm, gpu);
  const std::vector<std::int64_t> contexts = parse_seq_range(vm["seq"].as<std::string>(), "seq");
  std::vector<std::int64_t> batches;
  for (const std::string& item : split_list(vm["batch"].as<std::string>())) {
    const std::int64_t b = parse_integer(item, "batch");
    if (b < 1 || b > kMaxBatch) throw InvalidInput("batch", "each batch must be 1..2^20 (got " + item + ")");
    batches.push_back(b);
  }
  if (batches.empty()) throw InvalidInput("batch", "is empty; give a comma list such as 1,8,64");
  for (const std::int64_t n : contexts) {
    if (n > kMaxSeqLen) throw InvalidInput("seq", "must be at most 2^40 tokens");
  }
  const std::string out_path = out_path_from(vm);

  std::vector<Record> grid;
  std::vector<Record> largest;
  std::set<std::string> trust_texts;  // each distinct "how far to trust" of the rates, for the table's notes
  std::vector<PlotSeries> lines;
  for (const std::int64_t b : batches) lines.push_back({fmt::format("batch {}", b), {}});
  PlotSeries at_largest{"largest batch that fits", {}};
  for (const std::int64_t n : contexts) {
    for (std::size_t i = 0; i < batches.size(); ++i) {
      const capacity::MemoryBreakdown mem = decode_memory(model, gpu, base, n, batches[i]);
      const bool fits = mem.total_bytes <= capacity;
      const DecodeRate step = decode_rate(model, gpu, base, n, batches[i]);
      const double rate = step.tokens_per_second;
      Record row{{"context", n},
                 {"batch", batches[i]},
                 {"fits", fits},
                 {"peak_bytes", mem.total_bytes},
                 {"kv_cache_bytes", mem.part("kv_cache") + mem.part("ssm_state")},
                 {"tokens_per_second", rate},
                 {"per_sequence_tokens_per_second", rate / double(batches[i])}};
      add_trust(row, step.trust);
      trust_texts.insert(step.trust.validated_on);
      grid.push_back(std::move(row));
      lines[i].points.push_back({double(n), rate, fits});
    }
    const std::int64_t b = largest_batch(model, gpu, base, n, capacity);
    // Null: the search's limit, 2^20 sequences, still fits (rates are those at the limit).
    Record row{{"context", n}, {"largest_batch", b == kMaxBatch ? Value() : Value(b)}};
    if (b > 0) {
      const DecodeRate step = decode_rate(model, gpu, base, n, b);
      row.push_back({"tokens_per_second", step.tokens_per_second});
      row.push_back({"per_sequence_tokens_per_second", step.tokens_per_second / double(b)});
      add_trust(row, step.trust);
      trust_texts.insert(step.trust.validated_on);
      at_largest.points.push_back({double(n), step.tokens_per_second, true});
    } else {
      row.push_back({"tokens_per_second", Value()});
      row.push_back({"per_sequence_tokens_per_second", Value()});
      row.push_back({"error_band_percent", Value()});
      row.push_back({"validated_on", Value()});
    }
    largest.push_back(row);
  }

  std::string text;
  if (format == Format::json) {
    const std::string backend = capacity::attention_backend(model, gpu, base);
    nlohmann::json j{{"model", model.id}, {"gpu", gpu.id}, {"scenario", scenario_label(base)}, {"capacity_bytes", capacity},
                     {"attention_backend", backend.empty() ? nlohmann::json(nullptr) : nlohmann::json(backend)}};
    j["grid"] = nlohmann::json::array();
    for (const Record& r : grid) j["grid"].push_back(to_json(r));
    j["largest_batch"] = nlohmann::json::array();
    for (const Record& r : largest) j["largest_batch"].push_back(to_json(r));
    text = j.dump(2) + "\n";
  } else if (format == Format::csv) {
    // Both tables of the JSON in one CSV: a `table` column names which one a row belongs to.
    std::vector<Record> rows;
    for (const auto& [name, table] : {std::pair{"grid", &grid}, {"largest_batch", &largest}}) {
      for (const Record& r : *table) {
        Record row{{"table", std::string(name)}};
        row.insert(row.end(), r.begin(), r.end());
        rows.push_back(std::move(row));
      }
    }
    text = render_csv(rows);
  } else {
    text = fmt::format("{} on {} ({} usable): {}\n", model.id, gpu.id, human_bytes(capacity), scenario_label(base));
    text += sdpa_backend_note(base.attention, model, gpu, base) + "\n";
    text += render_table(grid,
                         {"context", "batch", yes_no("fits"), "peak_bytes", "kv_cache_bytes",
                          fixed_decimals("tokens_per_second", 1), fixed_decimals("per_sequence_tokens_per_second", 1)});
    text += "\nlargest batch that fits, and its throughput:\n";
    text += render_table(largest,
                         {"context", null_means("largest_batch", ">= 2^20"), fixed_decimals("tokens_per_second", 1),
                          fixed_decimals("per_sequence_tokens_per_second", 1)});
    for (const std::string& trust : trust_texts) text += fmt::format("note: tokens/s {}\n", trust);
  }
  if (vm.count("plot")) {
    lines.push_back(at_largest);
    plot_loglog(lines, {fmt::format("Decode throughput: {} on {} ({})", model.id, gpu.id, scenario_label(base)),
                        "cached tokens per sequence", "tokens/s (all sequences)"},
                vm["plot"].as<std::string>());
  }
  emit(text, out_path, out);
  return 0;
}

}  // namespace attnsim::cli

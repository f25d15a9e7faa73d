#include "cli/capacity_options.h"

#include <fmt/format.h>
#include <cmath>

#include "capacity/layer_workloads.h"
#include "io/gpu_profile.h"
#include "io/model_config.h"
#include "model/error.h"
#include "model/sdpa_dispatch.h"

namespace attnsim::cli {

po::options_description scenario_options(const std::string& default_phase, bool with_batch) {
  po::options_description o("Scenario");
  o.add_options()
      ("phase", po::value<std::string>()->default_value(default_phase), "prefill, decode, train or train-recompute");
  if (with_batch) o.add_options()("batch", po::value<std::string>()->default_value("1"), "sequences processed together");
  o.add_options()
      ("dtype", po::value<std::string>()->default_value("bf16"), "weights and activations: fp32, fp16, bf16")
      ("weight-dtype", po::value<std::string>(), "decoder weight matrices: bf16, fp16, fp8, int8 or int4, weight-only quantized with their scales (default: --dtype; embeddings, LM head, norms and routers stay in --dtype; inference only)")
      ("weight-group-size", po::value<std::string>()->default_value("128"), "int8/int4: weights per 16-bit scale (GPTQ and AWQ use 128)")
      ("kv-dtype", po::value<std::string>(), "KV cache element type (default: --dtype; fp8-e4m3 halves it)")
      ("kv-block", po::value<std::string>()->default_value("16"), "paged KV cache block in tokens (vLLM's default 16); 1: transformers' contiguous DynamicCache, sized exactly, whose decode step copies the whole cache to append a token")
      ("logits", po::value<std::string>(), "last: logits of the last position only, as generate() and serving engines compute them (default for prefill and decode); all: every position, as model(input_ids) returns them (default, and the only choice, for training: the loss reads every position)")
      ("logits-dtype", po::value<std::string>()->default_value("model"), "model: keep --dtype (transformers 5); fp32: upcast, as older transformers did (.float())")
      ("cuda-context-mib", po::value<std::string>()->default_value("723"), "device memory of the CUDA context (PyTorch forum measurement)")
      ("capacity-gib", po::value<std::string>(), "usable memory (default: the GPU profile's usable_memory_gib, else memory_capacity_gib)")
      ("ssm-kernel", po::value<std::string>()->default_value("fused"), "Mamba-2 prefill: fused (mamba_ssm's chunked-scan kernels); torch: transformers' pure-PyTorch path, taken when mamba_ssm is not installed, which holds an fp32 chunk x chunk x heads x state tensor");
  o.add(kv_cache_options());
  o.add(runtime_options("eager"));
  return o;
}

// --kv-cache: whether the run keeps a KV cache (its own block, beside --kv-dtype and --kv-block).
po::options_description kv_cache_options() {
  po::options_description o("KV cache");
  o.add_options()("kv-cache", po::value<std::string>()->default_value("dynamic"),
                  "dynamic: keep a KV cache (generate(), use_cache=True; transformers 5 copies the prompt's K and V "
                  "into it); legacy: transformers 4's DynamicCache, which stored them as handed over (a fused qkv "
                  "projection's V keeps the whole qkv buffer); none: a prefill that keeps none (use_cache=False)");
  return o;
}

bool kv_cache_from(const po::variables_map& vm) { return kv_cache_style_from(vm) != KvCacheStyle::none; }

KvCacheStyle kv_cache_style_from(const po::variables_map& vm) {
  const std::string text = vm["kv-cache"].as<std::string>();
  if (text == "dynamic") return KvCacheStyle::dynamic;
  if (text == "legacy") return KvCacheStyle::legacy;
  if (text == "none") return KvCacheStyle::none;
  throw InvalidInput("kv-cache", "allowed: dynamic, legacy, none (got '" + text + "')");
}

namespace {

double positive_number(const po::variables_map& vm, const char* key) {
  const std::string text = vm[key].as<std::string>();
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && value >= 0 && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  throw InvalidInput(key, "expects a non-negative number (got '" + text + "')");
}

capacity::WeightFormat weight_format_from(const po::variables_map& vm) {
  capacity::WeightFormat f;
  if (vm.count("weight-dtype")) f.dtype = capacity::parse_weight_dtype(vm["weight-dtype"].as<std::string>());
  const bool grouped = f.dtype == capacity::WeightDtype::int8 || f.dtype == capacity::WeightDtype::int4;
  if (!vm["weight-group-size"].defaulted() && !grouped) {
    throw InvalidInput("weight-group-size", "applies to --weight-dtype int8 and int4 only");
  }
  f.group_size = parse_integer(vm["weight-group-size"].as<std::string>(), "weight-group-size");
  if (f.group_size < 1 || f.group_size > 65536) {
    throw InvalidInput("weight-group-size", "must be 1..65536 weights per scale");
  }
  return f;
}

// One default for every command: the last position's logits, which is what a served prompt
// computes (generate() passes logits_to_keep=1; vLLM samples from the last position), except for
// training, whose loss needs every position.
bool all_logits_from(const po::variables_map& vm, capacity::Phase phase) {
  const bool training = phase == capacity::Phase::train || phase == capacity::Phase::train_recompute;
  if (!vm.count("logits")) return training;
  const std::string logits = vm["logits"].as<std::string>();
  if (logits != "all" && logits != "last") throw InvalidInput("logits", "allowed: all, last (got '" + logits + "')");
  if (training && logits == "last") {
    throw InvalidInput("logits", "training computes the loss over every position; allowed with --phase train and train-recompute: all");
  }
  return logits == "all";
}

}  // namespace

capacity::Scenario scenario_from(const po::variables_map& vm) {
  capacity::Scenario s;
  s.phase = capacity::parse_phase(vm["phase"].as<std::string>());
  if (vm.count("batch") && vm["batch"].as<std::string>().find(',') == std::string::npos) {
    s.batch = parse_integer(vm["batch"].as<std::string>(), "batch");
  }
  if (s.batch < 1 || s.batch > (std::int64_t{1} << 20)) throw InvalidInput("batch", "must be 1..2^20");
  s.dtype = parse_dtype(vm["dtype"].as<std::string>());
  if (s.dtype == Dtype::fp8_e4m3 || s.dtype == Dtype::tf32) throw InvalidInput("dtype", "allowed for the model: fp32, fp16, bf16");
  s.weights = weight_format_from(vm);
  capacity::require_supported_weights(s);
  s.kv_dtype = vm.count("kv-dtype") ? parse_dtype(vm["kv-dtype"].as<std::string>()) : s.dtype;
  s.kv_block_tokens = parse_integer(vm["kv-block"].as<std::string>(), "kv-block");
  if (s.kv_block_tokens < 1 || s.kv_block_tokens > 65536) throw InvalidInput("kv-block", "must be 1..65536 tokens");
  s.all_logits = all_logits_from(vm, s.phase);
  const std::string logits_dtype = vm["logits-dtype"].as<std::string>();
  if (logits_dtype != "fp32" && logits_dtype != "model") {
    throw InvalidInput("logits-dtype", "allowed: fp32, model (got '" + logits_dtype + "')");
  }
  s.logits_fp32 = logits_dtype == "fp32";
  s.runtime.cuda_context_bytes = positive_number(vm, "cuda-context-mib") * 1024.0 * 1024.0;
  const KvCacheStyle cache = kv_cache_style_from(vm);
  s.kv_cache = cache != KvCacheStyle::none;
  s.kv_cache_keeps_prefill_views = cache == KvCacheStyle::legacy;
  const std::string ssm_kernel = vm["ssm-kernel"].as<std::string>();
  if (ssm_kernel != "fused" && ssm_kernel != "torch") {
    throw InvalidInput("ssm-kernel", "allowed: fused, torch (got '" + ssm_kernel + "')");
  }
  s.ssm_torch_reference = ssm_kernel == "torch";
  capacity::require_supported_cache(s);
  const HostDispatch host = host_dispatch_from(vm);
  s.runtime.dispatch = host.dispatch;
  s.runtime.host_seconds_per_operator = host.seconds_per_operator;
  return s;
}

double capacity_bytes_from(const po::variables_map& vm, const Gpu& gpu) {
  if (!vm.count("capacity-gib")) return gpu.usable_or_capacity_bytes();
  const double gib = positive_number(vm, "capacity-gib");
  if (gib <= 0) throw InvalidInput("capacity-gib", "must be positive");
  return gib * 1024.0 * 1024.0 * 1024.0;
}

std::optional<double> positive_option(const po::variables_map& vm, const char* key, const std::string& what) {
  if (!vm.count(key)) return std::nullopt;
  const std::string text = vm[key].as<std::string>();
  std::size_t used = 0;
  double value = -1;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
  }
  if (used != text.size() || !(value > 0) || !std::isfinite(value)) {
    throw InvalidInput(key, "expects " + what + " > 0 (got '" + text + "')");
  }
  return value;
}

std::int64_t context_option(const po::variables_map& vm) {
  const std::int64_t n = parse_integer(vm["seq"].as<std::string>(), "seq");
  if (n < 1 || n > kMaxSeqLen) throw InvalidInput("seq", "must be 1..2^40 tokens");
  return n;
}

namespace {

// Loads each item of `key` (or every built-in one for `all`), renaming a lookup error's field from
// `lookup_field` to the option the user typed; a file's own file:line errors stay as they are.
template <typename T>
std::vector<T> list_option(const po::variables_map& vm, const char* key, const std::string& lookup_field,
                           std::vector<T> (*all)(), T (*find)(const std::string&)) {
  const std::string text = vm[key].as<std::string>();
  if (text == "all") return all();
  std::vector<T> items;
  for (const std::string& id : split_list(text)) {
    try {
      items.push_back(find(id));
    } catch (const InvalidInput& e) {
      if (e.field() != lookup_field || lookup_field == key) throw;
      throw InvalidInput(key, e.what());
    }
  }
  if (items.empty()) throw InvalidInput(key, "is empty; name at least one, or all");
  return items;
}

}  // namespace

std::vector<Gpu> gpus_option(const po::variables_map& vm, const char* key) {
  // `plan --gpus 8` used to answer "unknown GPU '8' (did you mean 'l4'?)": a count is not an id.
  for (const std::string& item : split_list(vm[key].as<std::string>())) {
    if (item.find_first_not_of("0123456789") == std::string::npos) {
      throw InvalidInput(key, "names GPUs (attnsim gpus), not a count (got '" + item +
                                  "'); a number of GPUs is ring's --gpu-count");
    }
  }
  std::vector<Gpu> gpus = list_option<Gpu>(vm, key, "gpu", &builtin_gpus, &find_gpu);
  for (Gpu& gpu : gpus) gpu = at_clock_from(vm, std::move(gpu));
  return gpus;
}

std::vector<capacity::ModelConfig> models_option(const po::variables_map& vm, const char* key) {
  return list_option<capacity::ModelConfig>(vm, key, "model", &builtin_models, &find_model);
}

std::string attention_option(const std::string& id, const std::string& option) {
  if (names_match(id, kSdpaDefaultDispatch)) return std::string(kSdpaDefaultDispatch);
  std::vector<std::string> names;
  for (const Variant& v : all_variants()) {
    if (names_match(id, v.id)) return v.id;
    names.push_back(v.id);
  }
  std::string allowed;
  for (const std::string& name : names) allowed += name + ", ";
  names.emplace_back(kSdpaDefaultDispatch);
  throw InvalidInput(option, "unknown variant '" + id + "' (did you mean '" + nearest_name(id, names) +
                                 "'?); allowed: " + allowed + "or sdpa (the backend PyTorch picks on each GPU)");
}

std::string sdpa_backend_note(const std::string& who, const std::string& asked, const std::string& backend,
                              const std::string& gpu_id, int compute_capability) {
  if (backend.empty() || backend == asked) return "";
  return fmt::format("note: {}: PyTorch's scaled_dot_product_attention runs its {} backend on {} (sm{})\n", who,
                     backend, gpu_id, compute_capability);
}

std::string sdpa_backend_note(const std::string& who, const capacity::ModelConfig& model, const Gpu& gpu,
                              const capacity::Scenario& scenario) {
  return sdpa_backend_note(who, scenario.attention, capacity::attention_backend(model, gpu, scenario), gpu.id,
                           gpu.compute_capability_major * 10 + gpu.compute_capability_minor);
}

std::string host_bound_note(const std::string& who, const capacity::PhaseTime& time,
                            const capacity::Scenario& scenario) {
  if (capacity::time_bound(time) != "host") return "";
  const std::string graph_build =
      time.host_graph_build_seconds > 0
          ? fmt::format(", plus {} rebuilding the cuDNN graph", human_seconds(time.host_graph_build_seconds))
          : "";
  // Two machines with the same Xeon model dispatched the same forwards 1.3-1.8x apart
  // (validate/data/h100-sxm/prefill_kernels/run2/): the host term is the least certain one.
  return fmt::format(
      "note: {}: host-bound: eager dispatch ({:.0f} operators at {:.1f} us{}) takes {}, the GPU {}; the CPU sets "
      "this time (--host-us-per-op: measure yours), --runtime graph prices the GPU alone\n",
      who, time.host_operators, 1e6 * scenario.runtime.host_seconds_per_operator, graph_build,
      human_seconds(time.host_seconds), human_seconds(time.gpu_seconds));
}

std::string tokens_label(std::int64_t tokens, bool unbounded) {
  if (unbounded) return "unbounded";
  return std::to_string(tokens);
}

Value band_percent(const capacity::WholeModelTrust& trust) {
  return trust.band ? Value(trust.band->percent) : Value();
}

Record breakdown_record(const capacity::MemoryBreakdown& b) {
  Record r;
  for (const capacity::MemoryPart& p : b.parts) r.push_back({p.name + "_bytes", p.bytes});
  return r;
}

std::string peak_parts_label(const capacity::MemoryBreakdown& b) {
  std::string label;
  for (const capacity::MemoryPart& p : b.parts) {
    if (p.at_peak && p.bytes > 0) label += (label.empty() ? "" : "+") + p.name;
  }
  return label;
}

std::string scenario_label(const capacity::Scenario& s) {
  const std::string weights = capacity::weight_format_label(s.weights);
  const std::string kv =
      s.kv_cache ? fmt::format("KV {} in blocks of {}{}", dtype_name(s.kv_dtype), s.kv_block_tokens,
                               s.kv_cache_keeps_prefill_views ? " (legacy DynamicCache)" : "")
                 : "no KV cache";
  return fmt::format("{}, batch {}, {}{}, {}, logits: {}, {}, runtime {}", capacity::phase_name(s.phase), s.batch,
                     dtype_name(s.dtype), weights.empty() ? "" : ", weights " + weights, kv,
                     s.all_logits ? "all positions" : "last position", s.logits_fp32 ? "fp32" : dtype_name(s.dtype),
                     dispatch_name(s.runtime.dispatch)) +
         (s.ssm_torch_reference ? ", SSM scan: transformers torch path" : "");
}

}  // namespace attnsim::cli

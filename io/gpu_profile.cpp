#include "io/gpu_profile.h"

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "io/data_folder.h"
#include "io/data_location.h"
#include "model/error.h"
#include "model/variant.h"

namespace attnsim {
namespace {

struct NumberField {
  const char* key;
  double scale;  // to SI units
  double min;
  double max;
  double Gpu::*member;
  bool whole = false;  // a count (SMs, bytes, registers): a fraction is a typo
};

constexpr double kTera = 1e12;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

const NumberField kNumberFields[] = {
    {"sm_count", 1.0, 1, 10000, &Gpu::sm_count, true},
    {"boost_clock_mhz", 1e6, 100, 10000, &Gpu::boost_clock_hz},
    {"fp32_vector_tflops", kTera, 0.1, 10000, &Gpu::fp32_vector_flops_per_second},
    {"sfu_exp_per_clock_per_sm", 1.0, 1, 1024, &Gpu::sfu_exp_per_clock_per_sm, true},
    {"memory_capacity_gib", kGiB, 0.25, 100000, &Gpu::memory_capacity_bytes},
    // 10 GB/s is below any GPU attention runs on (L4: 300); a figure in TB/s lands under it.
    {"hbm_bandwidth_gb_per_s", 1e9, 10, 1e6, &Gpu::hbm_bytes_per_second},
    {"l2_cache_bytes", 1.0, 0, 1e10, &Gpu::l2_bytes, true},
    {"shared_memory_per_sm_bytes", 1.0, 1024, 1e8, &Gpu::shared_memory_per_sm_bytes, true},
    {"shared_memory_per_block_bytes", 1.0, 1024, 1e8, &Gpu::shared_memory_per_block_bytes, true},
    {"registers_per_sm", 1.0, 1024, 1e8, &Gpu::registers_per_sm, true},
    {"max_threads_per_sm", 1.0, 32, 1e6, &Gpu::max_threads_per_sm, true},
    {"max_ctas_per_sm", 1.0, 1, 1024, &Gpu::max_ctas_per_sm, true},
    {"kernel_launch_seconds", 1.0, 0, 1e-2, &Gpu::kernel_launch_seconds},
    {"hbm_efficiency", 1.0, 0.01, 1.0, &Gpu::hbm_efficiency},
};
const char* const kStringFields[] = {"id", "name", "architecture", "compute_capability"};
const std::pair<const char*, Dtype> kTensorKeys[] = {
    {"tf32", Dtype::tf32}, {"fp16", Dtype::fp16}, {"bf16", Dtype::bf16}, {"fp8_e4m3", Dtype::fp8_e4m3}};

std::string where(const std::string& file, const toml::node& node, std::string_view key) {
  return file + ":" + std::to_string(node.source().begin.line) + ": " + std::string(key);
}

// A `{ value = N, source = "..." }` entry: the number, checked against [min, max].
double sourced_number(const toml::node& node, const std::string& file, std::string_view key, double min, double max) {
  const toml::table* entry = node.as_table();
  if (!entry) throw InvalidInput(where(file, node, key), "must be { value = <number>, source = \"...\" }");
  for (const auto& [k, v] : *entry) {
    if (k != "value" && k != "source") {
      throw InvalidInput(where(file, v, key), "unknown key '" + std::string(k.str()) + "'; allowed: value, source");
    }
  }
  const auto source = (*entry)["source"].value<std::string>();
  if (!source || source->empty()) throw InvalidInput(where(file, node, key), "needs a non-empty source = \"...\"");
  const toml::node* value = entry->get("value");
  const auto number = value ? value->value<double>() : std::nullopt;
  if (!number) throw InvalidInput(where(file, node, key), "needs a numeric value");
  if (!(*number >= min && *number <= max)) {
    std::ostringstream range;
    range << "value " << *number << " is outside the physical range [" << min << ", " << max
          << "] (the unit is in the key's name; see hw_profiles/SCHEMA.md)";
    throw InvalidInput(where(file, node, key), range.str());
  }
  return *number;
}

double whole_number(const toml::node& node, const std::string& file, std::string_view key, double min, double max) {
  const double number = sourced_number(node, file, key, min, max);
  if (number != std::floor(number)) {
    std::ostringstream message;
    message << "value " << number << " must be a whole number (a count)";
    throw InvalidInput(where(file, node, key), message.str());
  }
  return number;
}

// Every key the schema knows: checked before anything is read, so that a misspelt key is
// reported as such rather than as the missing field it was meant to be.
void reject_unknown_keys(const toml::table& root, const std::string& file) {
  std::vector<std::string> known(std::begin(kStringFields), std::end(kStringFields));
  for (const NumberField& field : kNumberFields) known.push_back(field.key);
  for (const char* key : {"tensor_dense_tflops", "mma_sync_dense_tflops", "sustained_clock_mhz", "burst_clock_mhz",
                          "fp32_vector_clock_mhz", "fp16_fp16_accumulate_tflops", "l2_bandwidth_gb_per_s", "l2_latency_ns",
                          "l2_partitions", "interconnect_gb_per_s", "price_usd_per_hour", "efficiency",
                          "usable_memory_gib"}) {
    known.push_back(key);
  }
  for (const auto& [k, v] : root) {
    if (std::find(known.begin(), known.end(), k.str()) == known.end()) {
      throw InvalidInput(where(file, v, k.str()), "unknown key (did you mean '" + nearest_name(k.str(), known) +
                                                      "'? see hw_profiles/SCHEMA.md)");
    }
  }
}

void read_efficiency(const toml::table& table, const std::string& file, Gpu& gpu) {
  for (const auto& [variant, node] : table) {
    const toml::table* entry = node.as_table();
    const std::string key = "efficiency." + std::string(variant.str());
    if (!entry) throw InvalidInput(where(file, node, key), "must be a table");
    EfficiencyOverride override;
    for (const auto& [k, v] : *entry) {
      std::optional<double>* field = nullptr;
      double min = 0.01;
      double max = 1.0;
      if (k == "launch_seconds") {
        field = &override.launch_seconds;
        min = 0.0;
        max = 1e-3;
      }
      if (k == "tensor") field = &override.tensor;
      if (k == "vector") field = &override.vector;
      if (k == "hbm") field = &override.hbm;
      if (k == "softmax_overlap") {
        field = &override.softmax_overlap;
        min = 0.0;
      }
      if (!field) {
        throw InvalidInput(where(file, v, key),
                           "unknown key '" + std::string(k.str()) +
                               "'; allowed: tensor, vector, hbm, softmax_overlap, launch_seconds");
      }
      *field = sourced_number(v, file, key + "." + std::string(k.str()), min, max);
      if (override.source.empty()) override.source = *v.as_table()->get("source")->value<std::string>();
    }
    gpu.efficiency_overrides[std::string(variant.str())] = override;
  }
}

// A table of dense tensor rates by dtype, in TFLOP/s.
std::map<Dtype, double> tensor_rates(const toml::table& table, const std::string& file, const std::string& name) {
  std::map<Dtype, double> rates;
  for (const auto& [k, v] : table) {
    const std::string_view dtype = k.str();  // clang 14 cannot capture a structured binding
    const auto match = std::find_if(std::begin(kTensorKeys), std::end(kTensorKeys),
                                    [&](const auto& entry) { return dtype == entry.first; });
    if (match == std::end(kTensorKeys)) {
      throw InvalidInput(where(file, v, name + "." + std::string(k.str())),
                         "unknown dtype; allowed: tf32, fp16, bf16, fp8_e4m3");
    }
    rates[match->second] = sourced_number(v, file, name + "." + std::string(k.str()), 0.1, 1e6) * kTera;
  }
  return rates;
}

}  // namespace

std::filesystem::path profiles_dir() { return locate_data_folder({"hw_profiles", "ATTNSIM_PROFILES", "GPU profiles"}); }

Gpu parse_gpu_profile(std::string_view toml_text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(toml_text, file);
  } catch (const toml::parse_error& e) {
    throw InvalidInput(file + ":" + std::to_string(e.source().begin.line), "malformed TOML: " + std::string(e.description()));
  }
  reject_unknown_keys(root, file);
  Gpu gpu;
  for (const char* key : kStringFields) {
    const toml::node* node = root.get(key);
    if (!node) throw InvalidInput(file + ": " + key, "missing string field (see hw_profiles/SCHEMA.md)");
    const auto text = node->value_exact<std::string>();
    if (!text || text->empty()) throw InvalidInput(where(file, *node, key), "must be a non-empty \"string\"");
    if (std::string_view(key) == "id") gpu.id = *text;
    if (std::string_view(key) == "name") gpu.name = *text;
    if (std::string_view(key) == "architecture") gpu.architecture = *text;
    if (std::string_view(key) == "compute_capability") {
      char dot = 0;
      std::istringstream in(*text);
      if (!(in >> gpu.compute_capability_major >> dot >> gpu.compute_capability_minor) || dot != '.' ||
          in.peek() != std::char_traits<char>::eof() || gpu.compute_capability_major < 1 ||
          gpu.compute_capability_minor < 0) {
        throw InvalidInput(file + ": compute_capability", "must look like \"9.0\" (got \"" + *text + "\")");
      }
    }
  }
  for (const NumberField& field : kNumberFields) {
    const toml::node* node = root.get(field.key);
    if (!node) throw InvalidInput(file + ": " + field.key, "missing field (see hw_profiles/SCHEMA.md)");
    const auto read = field.whole ? whole_number : sourced_number;
    gpu.*field.member = read(*node, file, field.key, field.min, field.max) * field.scale;
  }
  const toml::table* tensor = root["tensor_dense_tflops"].as_table();
  if (!tensor) throw InvalidInput(file + ": tensor_dense_tflops", "missing table [tensor_dense_tflops]");
  gpu.tensor_flops_per_second = tensor_rates(*tensor, file, "tensor_dense_tflops");
  const bool mma_sync_is_native = gpu.native_tensor_path() == TensorPath::mma_sync;
  if (const toml::node* node = root.get("mma_sync_dense_tflops")) {
    if (mma_sync_is_native) {
      throw InvalidInput(where(file, *node, "mma_sync_dense_tflops"),
                         "mma.sync is this GPU's newest tensor path: its rates are [tensor_dense_tflops]");
    }
    if (!node->is_table()) throw InvalidInput(where(file, *node, "mma_sync_dense_tflops"), "must be a table");
    gpu.mma_sync_flops_per_second = tensor_rates(*node->as_table(), file, "mma_sync_dense_tflops");
  } else if (!mma_sync_is_native) {
    throw InvalidInput(file + ": mma_sync_dense_tflops",
                       std::string("missing table [mma_sync_dense_tflops]: a GPU whose newest tensor path is ") +
                           tensor_path_name(gpu.native_tensor_path()) +
                           " must give the rate of mma.sync too (FlashAttention-2 issues it)");
  }
  if (const toml::node* node = root.get("fp32_vector_clock_mhz")) {
    gpu.fp32_vector_clock_hz = sourced_number(*node, file, "fp32_vector_clock_mhz", 100, 10000) * 1e6;
  }
  gpu.sustained_clock_hz = gpu.boost_clock_hz;
  if (const toml::node* node = root.get("sustained_clock_mhz")) {
    gpu.sustained_clock_hz = sourced_number(*node, file, "sustained_clock_mhz", 100, 10000) * 1e6;
  }
  gpu.sm_clock_hz = gpu.sustained_clock_hz;
  if (const toml::node* node = root.get("burst_clock_mhz")) {
    gpu.burst_clock_hz = sourced_number(*node, file, "burst_clock_mhz", 100, 10000) * 1e6;
    if (root.get("sustained_clock_mhz") && *gpu.burst_clock_hz < gpu.sustained_clock_hz) {
      throw InvalidInput(where(file, *node, "burst_clock_mhz"),
                         "cannot be below sustained_clock_mhz: seconds of work hold no higher a clock than a call after idle");
    }
  }
  if (const toml::node* node = root.get("fp16_fp16_accumulate_tflops")) {
    gpu.fp16_fp16_accumulate_flops_per_second = sourced_number(*node, file, "fp16_fp16_accumulate_tflops", 0.1, 1e6) * kTera;
  }
  if (const toml::node* node = root.get("l2_bandwidth_gb_per_s")) {
    gpu.l2_bytes_per_second = sourced_number(*node, file, "l2_bandwidth_gb_per_s", 1, 1e6) * 1e9;
  }
  if (const toml::node* node = root.get("l2_latency_ns")) {
    gpu.l2_latency_seconds = sourced_number(*node, file, "l2_latency_ns", 10, 10000) * 1e-9;
  }
  if (const toml::node* node = root.get("l2_partitions")) {
    gpu.l2_partitions = whole_number(*node, file, "l2_partitions", 1, 8);
  }
  if (const toml::node* node = root.get("interconnect_gb_per_s")) {
    gpu.interconnect_bytes_per_second = sourced_number(*node, file, "interconnect_gb_per_s", 1, 1e5) * 1e9;
  }
  if (const toml::node* node = root.get("usable_memory_gib")) {
    gpu.usable_memory_bytes = sourced_number(*node, file, "usable_memory_gib", 0.25, 100000) * kGiB;
    if (*gpu.usable_memory_bytes > gpu.memory_capacity_bytes) {
      throw InvalidInput(where(file, *node, "usable_memory_gib"), "cannot exceed memory_capacity_gib");
    }
  }
  if (const toml::node* node = root.get("price_usd_per_hour")) {
    gpu.price_usd_per_hour = sourced_number(*node, file, "price_usd_per_hour", 0.001, 1000);
  }
  if (const toml::node* node = root.get("efficiency")) {
    if (!node->is_table()) throw InvalidInput(where(file, *node, "efficiency"), "must be a table of [efficiency.<variant>]");
    read_efficiency(*node->as_table(), file, gpu);
  }
  if (gpu.shared_memory_per_block_bytes > gpu.shared_memory_per_sm_bytes) {
    throw InvalidInput(file + ": shared_memory_per_block_bytes", "must not exceed shared_memory_per_sm_bytes");
  }
  return gpu;
}

Gpu load_gpu_profile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput("gpu", "cannot read profile '" + path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_gpu_profile(text.str(), path.string());
}

std::vector<std::string> builtin_gpu_ids() { return toml_ids_in(profiles_dir()); }

std::vector<Gpu> builtin_gpus() {
  std::vector<Gpu> gpus;
  for (const std::string& id : builtin_gpu_ids()) gpus.push_back(load_gpu_profile(profiles_dir() / (id + ".toml")));
  return gpus;
}

std::filesystem::path gpu_profile_path(const std::string& name_or_path) {
  if (names_a_file(name_or_path)) return name_or_path;
  const std::vector<std::string> ids = builtin_gpu_ids();
  const std::optional<std::string> id = matching_id(name_or_path, ids);
  if (!id) throw_unknown_id("gpu", "GPU", name_or_path, ids, "profile");
  return profiles_dir() / (*id + ".toml");
}

Gpu find_gpu(const std::string& name_or_path) { return load_gpu_profile(gpu_profile_path(name_or_path)); }

}  // namespace attnsim

// Options shared by the whole-model commands (capacity, plan, serve): the model, the phase and how
// the runtime holds memory. Parsed here so each bad value gets one line naming its option.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "capacity/layer_workloads.h"
#include "capacity/memory.h"
#include "capacity/model_config.h"
#include "capacity/phase_time.h"
#include "capacity/scenario.h"
#include "capacity/whole_model_error_band.h"
#include "cli/options.h"
#include "io/report.h"

namespace attnsim::cli {

// The phase's default differs by command (serve decodes); every other default, --logits included,
// is the same in every command. `with_batch` false leaves --batch to the command (serve reads it as
// a list).
po::options_description scenario_options(const std::string& default_phase, bool with_batch = true);
capacity::Scenario scenario_from(const po::variables_map& vm);
// --kv-cache dynamic|none (part of scenario_options): true when a cache is kept.
po::options_description kv_cache_options();
bool kv_cache_from(const po::variables_map& vm);
// dynamic (transformers 5's DynamicCache), legacy (transformers 4's, which kept the prompt's tensors
// as handed over) or none.
enum class KvCacheStyle { dynamic, legacy, none };
KvCacheStyle kv_cache_style_from(const po::variables_map& vm);
// --capacity-gib, else the GPU's memory.
double capacity_bytes_from(const po::variables_map& vm, const Gpu& gpu);

// An optional positive number (--latency-budget 2): absent, or > 0; errors name the option and `what`.
std::optional<double> positive_option(const po::variables_map& vm, const char* key, const std::string& what);
// --seq N: 1..2^40 tokens.
std::int64_t context_option(const po::variables_map& vm);
// `all` or a comma list of ids or .toml paths; errors name `key`.
std::vector<Gpu> gpus_option(const po::variables_map& vm, const char* key);
std::vector<capacity::ModelConfig> models_option(const po::variables_map& vm, const char* key);

// The attention of a whole-model command: a variant's id, or "sdpa" for the backend PyTorch's
// scaled_dot_product_attention picks on each GPU (model/sdpa_dispatch.h).
std::string attention_option(const std::string& id, const std::string& option);

// "note: <who>: PyTorch's scaled_dot_product_attention runs its <backend> backend on <gpu> (sm<cc>)\n"
// where that backend is not the variant asked for, else empty.
std::string sdpa_backend_note(const std::string& who, const std::string& asked, const std::string& backend,
                              const std::string& gpu_id, int compute_capability);
// The same for `scenario.attention` on `gpu` (capacity::attention_backend).
std::string sdpa_backend_note(const std::string& who, const capacity::ModelConfig& model, const Gpu& gpu,
                              const capacity::Scenario& scenario);

// "note: <who>: host-bound: ..." where eager dispatch outlasts the GPU's work, so that the host's
// speed, not the GPU's, sets the predicted time; else empty.
std::string host_bound_note(const std::string& who, const capacity::PhaseTime& time,
                            const capacity::Scenario& scenario);

// A whole-model time's band as a field value: its percent, or null where no end-to-end run covers it.
Value band_percent(const capacity::WholeModelTrust& trust);

// "131072", or "unbounded" for a state that does not grow with N.
std::string tokens_label(std::int64_t tokens, bool unbounded);
// The breakdown as <part>_bytes fields, and the names of the parts alive at the peak.
Record breakdown_record(const capacity::MemoryBreakdown& breakdown);
std::string peak_parts_label(const capacity::MemoryBreakdown& breakdown);
// The phase's scenario in one line: "prefill, batch 1, bf16, KV bf16 in blocks of 16, logits: all positions, fp32".
std::string scenario_label(const capacity::Scenario& scenario);

}  // namespace attnsim::cli

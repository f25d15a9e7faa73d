// The one list of variants. Adding a variant: its file in model/variants/ and one line here.
#include <algorithm>
#include <cctype>
#include <string>

#include "model/efficiency.h"
#include "model/error.h"
#include "model/error_band.h"
#include "model/sdpa_wrapper.h"
#include "model/timing.h"
#include "model/variant.h"

namespace attnsim {

Variant eager_variant();
Variant standard_variant();
Variant sdpa_math_variant();
Variant mem_efficient_variant();
Variant flash1_variant();
Variant flash2_variant();
Variant flash3_variant();
Variant cudnn_variant();
Variant flash_decode_variant();
Variant flash_mla_variant();
Variant sliding_window_variant();
Variant ssm_scan_variant();

const std::vector<Variant>& all_variants() {
  static const std::vector<Variant> variants = {
      eager_variant(),        standard_variant(),  sdpa_math_variant(),      mem_efficient_variant(),
      flash1_variant(),       flash2_variant(),    flash3_variant(),         cudnn_variant(),
      flash_decode_variant(), flash_mla_variant(), sliding_window_variant(), ssm_scan_variant(),
  };
  return variants;
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The shortest name for which `matches(lower-case name)` holds; empty when none does.
template <typename Match>
std::string shortest_matching(const std::vector<std::string>& names, Match matches) {
  std::string best;
  for (const std::string& name : names) {
    if (matches(lower(name)) && (best.empty() || name.size() < best.size())) best = name;
  }
  return best;
}

}  // namespace

bool names_match(std::string_view typed, std::string_view name) { return lower(typed) == lower(name); }

std::string nearest_name(std::string_view typed, const std::vector<std::string>& names) {
  // A name that extends what was typed ("H100" -> "h100-sxm"), then one that contains it ("4090" ->
  // "rtx4090"), beats a closer edit ("H100" is two edits from "a10").
  const std::string key = lower(typed);
  if (!key.empty()) {
    const std::string begins = shortest_matching(names, [&](const std::string& name) { return name.starts_with(key); });
    if (!begins.empty()) return begins;
    const std::string contains =
        shortest_matching(names, [&](const std::string& name) { return name.find(key) != std::string::npos; });
    if (!contains.empty()) return contains;
  }
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const std::string& name : names) {
    const std::size_t distance = edit_distance(key, lower(name));
    if (distance < best_distance) {
      best_distance = distance;
      best = name;
    }
  }
  return best;
}

const Variant& find_variant(std::string_view id) {
  std::vector<std::string> ids;
  for (const Variant& v : all_variants()) {
    if (names_match(id, v.id)) return v;
    ids.push_back(v.id);
  }
  std::string allowed;
  for (const std::string& name : ids) allowed += (allowed.empty() ? "" : ", ") + name;
  throw InvalidInput("variant", "unknown variant '" + std::string(id) + "' (did you mean '" + nearest_name(id, ids) +
                                    "'?); allowed: " + allowed);
}

Tiling with_knobs(Tiling tiling, const VariantKnobs& knobs) {
  if (knobs.block_m) tiling.block_m = *knobs.block_m;
  if (knobs.block_n) tiling.block_n = *knobs.block_n;
  if (knobs.warps) tiling.warps = *knobs.warps;
  if (knobs.stages) tiling.stages = *knobs.stages;
  return tiling;
}

std::string_view elementwise_kernels_name(ElementwiseKernels kernels) {
  return kernels == ElementwiseKernels::vectorized ? "vectorized" : "pytorch";
}

ElementwiseKernels parse_elementwise_kernels(std::string_view name) {
  if (name == "pytorch") return ElementwiseKernels::pytorch;
  if (name == "vectorized") return ElementwiseKernels::vectorized;
  throw InvalidInput("elementwise", "unknown kernels '" + std::string(name) +
                                        "'; allowed: pytorch (TensorIterator, element-bound where it broadcasts, "
                                        "permutes or widens), vectorized (16-byte loads, streaming)");
}

bool sets_tile(const VariantKnobs& knobs) { return knobs.block_m || knobs.block_n || knobs.warps || knobs.stages; }

Prediction predict(const Workload& workload, const Gpu& gpu, const Variant& variant, const VariantKnobs& knobs,
                   const HostDispatch& host) {
  validate(workload);
  if (knobs.block_m && (*knobs.block_m < 1 || *knobs.block_m > 1024))
    throw InvalidInput("tile", "block M must be 1..1024");
  if (knobs.block_n && (*knobs.block_n < 1 || *knobs.block_n > 1024))
    throw InvalidInput("tile", "block N must be 1..1024");
  if (knobs.warps && (*knobs.warps < 1 || *knobs.warps > 32)) throw InvalidInput("warps", "must be 1..32");
  if (knobs.stages && (*knobs.stages < 1 || *knobs.stages > 8)) throw InvalidInput("stages", "must be 1..8");
  Cost cost = variant.cost(workload, gpu, knobs);
  if (host.entry == Entry::sdpa) add_sdpa_wrapper_kernels(cost, variant.id, workload, gpu);
  if (cost.framework_operators == 0) cost.framework_operators = workload.pass == Pass::forward_backward ? 2.0 : 1.0;
  Prediction p = time_cost(std::move(cost), workload, gpu);
  p.variant = variant.id;
  p.gpu_seconds = p.predicted_seconds;
  if (host.dispatch == Dispatch::eager) {
    p.host_seconds = p.cost.framework_operators * host.seconds_per_operator;
    if (p.host_seconds > p.gpu_seconds) {
      p.predicted_seconds = p.host_seconds;
      p.bound = "host";
    }
  }
  p.arch_family = arch_family(gpu);
  p.dispatch = host.dispatch;
  p.error_band = error_band_for(variant.id, p.arch_family, workload.pass, host.dispatch);
  return p;
}

}  // namespace attnsim

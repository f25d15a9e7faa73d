// The variant registry: one file per attention implementation turns (Workload, Gpu, knobs) into a
// Cost; adding a variant is one file plus one line in registry.cpp, and no command-line code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/cost.h"
#include "model/gpu.h"
#include "model/host_dispatch.h"
#include "model/prediction.h"
#include "model/workload.h"

namespace attnsim {

// Mamba-2 SSD shape; defaults from mamba_ssm/modules/mamba2.py (d_state 128, expand 2,
// headdim 64, chunk_size 256).
struct SsmShape {
  std::int64_t state_size = 128;
  std::int64_t chunk_length = 256;
  std::int64_t expansion = 2;
  std::int64_t head_dim = 64;
};

// User overrides of a variant's defaults; an absent field keeps the variant's cited default.
// How a materialized chain's copies, casts and broadcast adds are written (model/materialized.h):
// PyTorch's TensorIterator kernels, element-bound where they broadcast, permute or widen, or
// kernels that load and store 16 bytes a thread, at a streaming kernel's bandwidth (a hand-written
// chain such as attnsim-bench's cublas-eager).
enum class ElementwiseKernels { pytorch, vectorized };
std::string_view elementwise_kernels_name(ElementwiseKernels kernels);
ElementwiseKernels parse_elementwise_kernels(std::string_view name);  // throws InvalidInput("elementwise", ...)

struct VariantKnobs {
  std::optional<std::int64_t> block_m;
  std::optional<std::int64_t> block_n;
  std::optional<int> warps;
  std::optional<int> stages;
  std::optional<std::int64_t> num_splits;                        // flash-decode
  ElementwiseKernels elementwise = ElementwiseKernels::pytorch;  // eager
  // sdpa-math: its fp32 matmuls on TF32 tensor cores (torch.backends.cuda.matmul.allow_tf32, off in
  // PyTorch's own builds since 1.12; NVIDIA's NGC containers turn it on).
  bool allow_tf32 = false;
  SsmShape ssm;
};

struct Variant {
  std::string id;
  std::string summary;
  std::string complexity;  // growth of time with N: "O(N^2)" or "O(N)"
  std::vector<std::string> knobs;
  std::string sources;
  Cost (*cost)(const Workload&, const Gpu&, const VariantKnobs&);
};

// A variant's cited default tile with the user's --tile/--warps/--stages applied.
Tiling with_knobs(Tiling tiling, const VariantKnobs& knobs);
// True when a knob (--tile, --warps, --stages) replaces part of the variant's own tile.
bool sets_tile(const VariantKnobs& knobs);

const std::vector<Variant>& all_variants();
// `id` in any case ("FLASH2" is flash2); throws InvalidInput("variant", ...) listing the known ids and
// the nearest one.
const Variant& find_variant(std::string_view id);
// Names the user types (variant, GPU and model ids) are matched without regard to case.
bool names_match(std::string_view typed, std::string_view name);
// The name in `names` closest to `typed`, for "did you mean" hints, ignoring case: the shortest name
// that begins with it, else the shortest that contains it, else the nearest by edit distance.
std::string nearest_name(std::string_view typed, const std::vector<std::string>& names);

Prediction predict(const Workload& workload, const Gpu& gpu, const Variant& variant, const VariantKnobs& knobs,
                   const HostDispatch& host = {});

}  // namespace attnsim

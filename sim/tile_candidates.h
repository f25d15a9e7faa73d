// The tile what-if: every (block M, block N, stages) candidate of a tiled kernel checked against
// the GPU's limits, the feasible ones simulated, the rows sorted by time. A layer over the
// simulator, as Timeloop's mapper is a layer over its model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "model/tiling.h"
#include "model/variant.h"
#include "model/workload.h"
#include "sim/simulate.h"

namespace attnsim::sim {

// Registers a thread needs for a FlashAttention-2 forward tile (kernel_traits.h layout): the fp32
// accumulators of O (block_m x dv) and of S = QK^T (block_m x block_n) spread over the CTA's
// threads, plus addressing, loop state and the softmax row statistics.
inline constexpr double kRegistersBesideAccumulators = 32.0;  // assumed; FA2 at 128x64, d=128 compiles to 255
inline constexpr double kMaxRegistersPerThread = 255.0;       // CUDA C++ Programming Guide, cc >= 5.0
double estimated_registers_per_thread(const Tiling& t, std::int64_t head_dim_v);

// A what-if compares candidates, so it samples sooner than a single prediction: above this many
// tile steps a candidate is simulated on a prefix of whole waves (>= 2) and scaled (SimOptions).
inline constexpr double kWhatIfMaxTileSteps = 3e7;

struct TileGrid {
  std::vector<std::int64_t> block_m;
  std::vector<std::int64_t> block_n;
  std::vector<int> stages;
  std::optional<int> warps;  // absent: the variant's default for the workload
};

struct TileCandidate {
  Tiling tiling;
  bool is_default = false;
  double shared_memory_bytes = 0;
  double registers_per_thread = 0;
  double ctas_per_sm = 0;
  std::string infeasible;  // empty when the tile fits; else which limit fails and by how much
  // Filled for feasible tiles:
  double seconds = 0;
  double hbm_bytes = 0;
  double l2_hit_rate = 0;
  double waves = 0;
  double sm_busy_fraction = 0;
  std::string bound;
  bool sampled = false;
};

// Feasible rows first, fastest first; then the infeasible ones. The variant's default tile is
// added when the grid lacks it. `threads`: simulations run in parallel on this many threads.
std::vector<TileCandidate> sweep_tiles(const Workload& w, const Gpu& gpu, const Variant& variant, const TileGrid& grid,
                                       const SimOptions& options, unsigned threads);

}  // namespace attnsim::sim

// The tile what-if: every (block M, block N, stages) candidate of a tiled kernel checked against
// the GPU's limits, the feasible ones simulated, the rows sorted by time. A layer over the
// simulator, as Timeloop's mapper is a layer over its model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "model/register_demand.h"
#include "model/tiling.h"
#include "model/variant.h"
#include "model/workload.h"
#include "sim/simulate.h"

namespace attnsim::sim {

// A what-if compares candidates, so it samples sooner than a single prediction: above this many
// tile steps a candidate is simulated on a prefix of whole waves (>= 2) and scaled (SimOptions).
inline constexpr double kWhatIfMaxTileSteps = 3e7;
// The whole sweep walks at most this many tile steps (about 10 s on one core at the 300 M steps/s
// of bench/sim_bench.cpp): each candidate gets its share, sampling sooner when there are many, and
// a shape whose two-wave sample exceeds the share is refused. At most kMaxTileCandidates tiles.
inline constexpr double kWhatIfTileStepBudget = 3e9;
inline constexpr std::size_t kMaxTileCandidates = 1024;

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
  // The model's register accounting (model/register_demand.h): what the accumulators ask of each
  // thread and what spills above 255. Spilling tiles launch and are simulated with the spill priced.
  ForwardRegisterDemand registers;
  // From the compiled registers per thread (Tiling), as the closed form counts them.
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

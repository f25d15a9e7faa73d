// --check: every backend (eager, all six flash2 tiles, flash-decode with its heuristic and with
// forced splits) on small random shapes chosen to hit the edges: N smaller than one tile, N not a
// multiple of any tile, Nq != Nk with a bottom-right causal mask, GQA and MQA, d = 64 and 128,
// causal and not, decoding with 1 key, empty splits. O (and every workspace byte) is poisoned with
// NaN before each run and compared with the float64 CPU reference:
//   relative L2 error ||O - ref|| / ||ref|| <= the backend's bound (backends.h), no NaN or inf;
//   logsumexp, where written: max |lse - ref| <= 1e-3, no NaN.
#pragma once

#include <cstdint>
#include <ostream>

#include "backends.h"

namespace attnsim::bench {

// Prints one line per run and a summary; returns the number of failed runs. `edges_only` keeps the
// shapes at the tiles' edges (N < one tile, N a multiple of no tile, Nk > Nq; decoding with 1 and
// 37 keys and with empty splits), small enough for compute-sanitizer's racecheck.
int run_correctness_checks(const BackendContext& context, std::uint64_t seed, bool edges_only, cudaStream_t stream,
                           std::ostream& log);

}  // namespace attnsim::bench

// The built-in grids of --grid NAME: which shapes, and which backends at each shape, in run order.
//   prefill: B=1, H=Hkv=32, N = 512 ... 32768 (x2), d in {128, 64}, causal and not; cublas-eager
//            and attnsim-flash2 with every tile. N ascends, so a time budget cuts the largest last.
//   decode:  seq_q = 1, H=32, Hkv=8, d=128, B in {1, 16, 64}, Nk in {4096, 16384, 65536, 131072}
//            (the PyTorch run's decode grid); attnsim-flash-decode (heuristic splits) and cublas-eager.
//   full:    decode, then prefill.
//   extended: full with N up to 65536, plus GQA prefill (Hkv = 8, d = 128, N = 1024 ... 16384) and
//            decoding with Hkv = 32 and with d = 64 (B in {1, 16}, Nk in {16384, 65536}).
//   ncu:     a subset for Nsight Compute (--profile): every flash2 tile at three shapes, eager at
//            two, flash-decode at B in {1, 16, 64} x Nk in {16384, 65536}.
//   smoke:   two small prefill shapes and one decode shape, every backend: a quick look.
#pragma once

#include <string>
#include <vector>

#include "backends.h"

namespace attnsim::bench {

struct GridPoint {
  AttentionShape shape;
  std::vector<BackendChoice> backends;
};

std::vector<GridPoint> built_in_grid(const std::string& name);  // throws std::invalid_argument naming --grid
std::string grid_names();                                       // "full, extended, ..."

}  // namespace attnsim::bench

// The three backends by name: what the CLI, the check and the grid choose between, with the
// attnsim variant and the CSV backend label of each (validate/README.md's backend table).
#pragma once

#include <cublas_v2.h>

#include <cstdint>
#include <string>

#include "attention_path.h"
#include "attention_shape.h"
#include "flash2_forward.h"

namespace attnsim::bench {

enum class BackendKind { eager, flash2, flash_decode };

struct BackendChoice {
  BackendKind kind = BackendKind::flash2;
  Flash2Tile tile;              // flash2 only
  std::int64_t num_splits = 0;  // flash-decode only; 0 = FlashAttention's heuristic
};

BackendKind parse_backend_kind(const std::string& text);  // eager | flash2 | flash-decode
std::string variant_name(BackendKind kind);               // attnsim variant: eager, flash2, flash-decode
std::string backend_label(BackendKind kind);              // cublas-eager, attnsim-flash2, attnsim-flash-decode
std::string describe(const BackendChoice& choice);        // "attnsim-flash2 128x64"
// Relative L2 error of O that --check accepts, with the reason in validate/cuda/README.md.
double output_error_bound(BackendKind kind);

struct BackendContext {
  cublasHandle_t cublas = nullptr;
  int sm_count = 0;
};

// Allocates the workspace and returns the launchable path; throws CudaOutOfMemory or
// std::invalid_argument (a shape the backend does not take, reported as `unsupported`).
AttentionPath prepare_backend(const BackendChoice& choice, const AttentionShape& shape, const DeviceTensors& tensors,
                              const BackendContext& context);

}  // namespace attnsim::bench

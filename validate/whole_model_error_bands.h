// Computes the whole-model error bands of capacity/whole_model_error_band.h from the end-to-end
// records of validate/whole_model_records.h: each run predicted as the run was made (eager dispatch at
// the default host time per operator, the attention transformers' attn_implementation selects), and
// per (phase, predicted bound, architecture family, attention kernel that ran) the 90th percentile of
// the absolute time error.
// The host time per operator was set on the H200 machine's Llama-3.2-1B host-bound rows, which are
// among these runs; nothing else in the whole-model time was fitted on them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "capacity/whole_model_error_band.h"
#include "model/gpu.h"
#include "validate/whole_model_records.h"

namespace attnsim {

std::vector<capacity::WholeModelErrorBand> compute_whole_model_error_bands(const std::vector<WholeModelRun>& runs,
                                                                           Gpu (*load_gpu)(const std::string& id));

// The runs behind the committed table, under the source tree's validate/data.
std::vector<WholeModelRun> committed_whole_model_runs(const std::filesystem::path& data_folder);

// C++ initializer rows for capacity/whole_model_error_bands_table.cpp.
std::string whole_model_error_band_table_source(const std::vector<capacity::WholeModelErrorBand>& bands);

}  // namespace attnsim

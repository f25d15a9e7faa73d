// The clock regime each committed measurement file was taken in, and so the clock its runs are
// priced at when compared: validate/data/measured_clocks.csv, one row per file with the evidence
// (the run's clock log against the profile's burst clock; model/sm_clock.h).
#pragma once

#include <filesystem>
#include <string>

#include "model/gpu.h"
#include "model/sm_clock.h"

namespace attnsim {

// `file` relative to validate/data ("h200/pytorch_attention.csv"); throws InvalidInput naming the
// file when measured_clocks.csv does not list it.
ClockSetting measured_clock(const std::filesystem::path& data_folder, const std::string& file);

// The GPU at the clock `file` was measured at.
Gpu gpu_as_measured(const Gpu& gpu, const std::filesystem::path& data_folder, const std::string& file);

}  // namespace attnsim

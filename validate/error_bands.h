// Computes the error bands of model/error_band.h from measured and published runs: per (variant,
// architecture family, pass), the 90th percentile of the absolute time error over the runs the
// model was not fitted on (the test split of the project's own files, every published row).
// Host-inclusive and profiled timings and the project's own kernels (attnsim-*, cublas-*) are
// left out: a band speaks for the library kernels a user runs.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "model/error_band.h"
#include "model/gpu.h"

namespace attnsim {

struct ValidationRecordFile {
  std::filesystem::path file;
  Gpu gpu;
  bool every_row_held_out = false;  // published or drawn at random: every row counts; else only the test split
};

std::vector<ErrorBand> compute_error_bands(const std::vector<ValidationRecordFile>& files);

// The GPU profile ids a band's runs came from, as `validated_on` lists them: "h100-sxm, h200".
std::string gpu_list(const std::set<std::string>& gpu_ids);

// A band's width from its runs' absolute errors in percent: their 90th percentile (linear between
// ranks), to 0.1 percent.
double band_percent(std::vector<double> absolute_errors_percent);

// The files behind the committed table, under the source tree's validate/data.
std::vector<ValidationRecordFile> committed_validation_records(const std::filesystem::path& data_folder,
                                                               Gpu (*load_gpu)(const std::string& id));

// C++ initializer rows for model/error_bands_table.cpp.
std::string error_band_table_source(const std::vector<ErrorBand>& bands);

}  // namespace attnsim

// `attnsim validate --report page.md`: the comparison as a Markdown page, with its plots written
// beside it (page-time.svg, page-dram.svg, page-vs-n.svg), every file whole or not at all.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "model/gpu.h"
#include "validate/comparison.h"

namespace attnsim::cli {

struct PageInputs {
  std::string measured_file;
  std::string ncu_file;  // empty without --ncu
  std::string command;   // the attnsim command line that wrote the page
  std::int64_t fit_min_seq = 0;
};

// The page's Markdown, linking the given plot file names (relative to the page).
std::string validation_markdown(const ValidationReport& report, const Gpu& gpu, const PageInputs& inputs,
                                const std::vector<std::string>& plot_names);

// Predicted vs measured time, one series per (variant, backend).
void plot_time_scatter(const ValidationReport& report, const Gpu& gpu, const std::filesystem::path& output);
// Predicted HBM bytes vs ncu's DRAM bytes; false (nothing written) when no run has ncu data.
bool plot_dram_scatter(const ValidationReport& report, const Gpu& gpu, const std::filesystem::path& output);
// Log-log overlay of time against N, measured (points) and predicted, for each slope family.
bool plot_time_vs_n(const ValidationReport& report, const Gpu& gpu, const std::filesystem::path& output);

// Writes the page and its plots; plots that have no data are left out.
void write_validation_page(const ValidationReport& report, const Gpu& gpu, const PageInputs& inputs,
                           const std::filesystem::path& page);

}  // namespace attnsim::cli

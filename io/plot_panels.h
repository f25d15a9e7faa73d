// Arranging line and scatter series so a reader can tell them apart: series drawn on top of each
// other merged into one entry, and at most kMaxSeriesPerPanel series per panel (gnuplot's default
// palette has 8 distinct colours), a group (measured and predicted of one shape) kept together.
#pragma once

#include <cstddef>
#include <vector>

#include "io/plot.h"

namespace attnsim {

inline constexpr std::size_t kMaxSeriesPerPanel = 8;

// Series with the same points (x, fits, y equal to 1 part in 10^9) are one line to the eye: the
// later ones are folded into the first, their titles joined with " = " so the key says so.
std::vector<PlotSeries> merge_coinciding(const std::vector<PlotSeries>& series);

// Consecutive panels of at most kMaxSeriesPerPanel series, in input order, each group whole (a
// group larger than a panel is split), panels filled evenly.
std::vector<std::vector<PlotSeries>> facet(const std::vector<PlotSeries>& series);

}  // namespace attnsim

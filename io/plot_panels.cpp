#include "io/plot_panels.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace attnsim {
namespace {

constexpr double kSameRelative = 1e-9;

bool same_points(const PlotSeries& a, const PlotSeries& b) {
  if (a.points.size() != b.points.size()) return false;
  for (std::size_t i = 0; i < a.points.size(); ++i) {
    const PlotPoint& p = a.points[i];
    const PlotPoint& q = b.points[i];
    if (p.x != q.x || p.fits != q.fits) return false;
    if (std::abs(p.y - q.y) > kSameRelative * std::max(std::abs(p.y), std::abs(q.y))) return false;
  }
  return true;
}

const std::string& group_of(const PlotSeries& s) { return s.group.empty() ? s.title : s.group; }

}  // namespace

std::vector<PlotSeries> merge_coinciding(const std::vector<PlotSeries>& series) {
  std::vector<PlotSeries> out;
  for (const PlotSeries& s : series) {
    const auto same = std::find_if(out.begin(), out.end(),
                                   [&](const PlotSeries& o) { return !s.points.empty() && same_points(o, s); });
    if (same == out.end()) {
      out.push_back(s);
    } else {
      same->title += " = " + s.title;
    }
  }
  return out;
}

std::vector<std::vector<PlotSeries>> facet(const std::vector<PlotSeries>& series) {
  // Groups in order of first appearance, each cut into pieces a panel can hold.
  std::vector<std::vector<PlotSeries>> groups;
  for (const PlotSeries& s : series) {
    const auto it = std::find_if(groups.begin(), groups.end(),
                                 [&](const std::vector<PlotSeries>& g) { return group_of(g.front()) == group_of(s); });
    if (it == groups.end()) {
      groups.push_back({s});
    } else {
      it->push_back(s);
    }
  }
  std::vector<std::vector<PlotSeries>> pieces;
  std::size_t largest = 1;
  for (const std::vector<PlotSeries>& g : groups) {
    for (std::size_t at = 0; at < g.size(); at += kMaxSeriesPerPanel) {
      pieces.emplace_back(g.begin() + long(at), g.begin() + long(std::min(g.size(), at + kMaxSeriesPerPanel)));
      largest = std::max(largest, pieces.back().size());
    }
  }
  // Panels filled evenly: the fewest panels 8 series each allow, with the smallest share per panel
  // that still needs no more of them (24 series: 3 panels of 8; 9 series: 5 and 4, not 8 and 1).
  const auto pack = [&](std::size_t share) {
    std::vector<std::vector<PlotSeries>> panels(1);
    for (const std::vector<PlotSeries>& piece : pieces) {
      if (!panels.back().empty() && panels.back().size() + piece.size() > share) panels.emplace_back();
      panels.back().insert(panels.back().end(), piece.begin(), piece.end());
    }
    return panels;
  };
  std::vector<std::vector<PlotSeries>> out = pack(kMaxSeriesPerPanel);
  for (std::size_t share = largest; share < kMaxSeriesPerPanel; ++share) {
    std::vector<std::vector<PlotSeries>> even = pack(share);
    if (even.size() == out.size()) return even;
  }
  return out;
}

}  // namespace attnsim

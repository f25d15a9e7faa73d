// Least-squares slope of log(y) against log(x): the exponent p in y ~ x^p (2 for O(N^2)).
#pragma once

#include <vector>

namespace attnsim {

struct PowerLawFit {
  double exponent = 0;
  double r_squared = 0;
  int points = 0;
};

// Needs at least two points with distinct positive x and positive y; throws std::invalid_argument otherwise.
PowerLawFit fit_power_law(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace attnsim

#include "model/loglog_fit.h"

#include <Eigen/Dense>
#include <cmath>
#include <stdexcept>

namespace attnsim {

PowerLawFit fit_power_law(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size() || x.size() < 2) throw std::invalid_argument("power-law fit needs at least two points");
  const auto n = static_cast<Eigen::Index>(x.size());
  Eigen::MatrixXd design(n, 2);
  Eigen::VectorXd target(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(x[std::size_t(i)] > 0 && y[std::size_t(i)] > 0)) throw std::invalid_argument("power-law fit needs positive values");
    design(i, 0) = std::log(x[std::size_t(i)]);
    design(i, 1) = 1.0;
    target(i) = std::log(y[std::size_t(i)]);
  }
  const Eigen::Vector2d coef = design.colPivHouseholderQr().solve(target);
  const Eigen::VectorXd residual = target - design * coef;
  const double mean = target.mean();
  const double total = (target.array() - mean).square().sum();
  PowerLawFit fit;
  fit.exponent = coef(0);
  fit.r_squared = total > 0 ? 1.0 - residual.squaredNorm() / total : 1.0;
  fit.points = int(n);
  return fit;
}

}  // namespace attnsim

#include "capacity/weights.h"

#include <cmath>

#include "capacity/parameters.h"

namespace attnsim::capacity {

double weight_bytes(const ModelConfig& m, const Scenario& s) {
  const double total = count_parameters(m).total();
  double quantizable = 0;
  for (const WeightMatrix& w : decoder_matrices(m)) {
    if (w.quantizable) quantizable += w.elements * w.count;
  }
  return quantizable * matrix_element_bytes(s.weights, s.dtype) + (total - quantizable) * element_bytes(s.dtype);
}

double expected_distinct_experts(double experts, double experts_per_token, double tokens) {
  // (1 - k/E)^B as exp(B log1p(-k/E)): exact for small k/E and large B (1e9 tokens underflow to 0,
  // every expert touched); k = E gives log1p(-1) = -inf and every expert.
  return -experts * std::expm1(tokens * std::log1p(-experts_per_token / experts));
}

double weight_bytes_read(const ModelConfig& m, const Scenario& s, double tokens) {
  const double all = weight_bytes(m, s);
  if (!m.moe) return all;
  const ParameterCounts c = count_parameters(m);
  const double untouched = c.routed_experts - expected_distinct_experts(c.routed_experts, c.experts_per_token, tokens);
  return all - c.moe_layers * untouched * c.expert * matrix_element_bytes(s.weights, s.dtype);
}

}  // namespace attnsim::capacity

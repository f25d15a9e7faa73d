#include "capacity/weight_format.h"

#include "model/error.h"

namespace attnsim::capacity {
namespace {

// Group-wise formats carry one fp16/bf16 scale per group.
constexpr double kScaleBytes = 2.0;

}  // namespace

std::string_view weight_dtype_name(WeightDtype dtype) {
  switch (dtype) {
    case WeightDtype::model:
      return "model";
    case WeightDtype::bf16:
      return "bf16";
    case WeightDtype::fp16:
      return "fp16";
    case WeightDtype::fp8:
      return "fp8";
    case WeightDtype::int8:
      return "int8";
    case WeightDtype::int4:
      return "int4";
  }
  return "?";
}

WeightDtype parse_weight_dtype(std::string_view name) {
  for (const WeightDtype d :
       {WeightDtype::bf16, WeightDtype::fp16, WeightDtype::fp8, WeightDtype::int8, WeightDtype::int4}) {
    if (weight_dtype_name(d) == name) return d;
  }
  throw InvalidInput("weight-dtype",
                     "unknown weight format '" + std::string(name) + "'; allowed: bf16, fp16, fp8, int8, int4");
}

double matrix_element_bytes(const WeightFormat& f, Dtype activations) {
  const double group = double(f.group_size);
  switch (f.dtype) {
    case WeightDtype::model:
      return element_bytes(activations);
    case WeightDtype::bf16:
    case WeightDtype::fp16:
      return 2.0;
    case WeightDtype::fp8:
      return 1.0;
    case WeightDtype::int8:
      return 1.0 + kScaleBytes / group;
    case WeightDtype::int4:
      return 0.5 + kScaleBytes / group;
  }
  return element_bytes(activations);
}

std::string weight_format_label(const WeightFormat& f) {
  if (f.dtype == WeightDtype::model) return "";
  std::string label(weight_dtype_name(f.dtype));
  if (f.dtype == WeightDtype::int8 || f.dtype == WeightDtype::int4) {
    label += " (a 16-bit scale per " + std::to_string(f.group_size) + " weights)";
  }
  return label;
}

}  // namespace attnsim::capacity

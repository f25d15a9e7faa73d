#include "model/dtype.h"

#include <array>
#include <utility>

#include "model/error.h"

namespace attnsim {
namespace {

constexpr std::array<std::pair<Dtype, std::string_view>, 5> kNames{{
    {Dtype::fp32, "fp32"},
    {Dtype::tf32, "tf32"},
    {Dtype::fp16, "fp16"},
    {Dtype::bf16, "bf16"},
    {Dtype::fp8_e4m3, "fp8-e4m3"},
}};

}  // namespace

double element_bytes(Dtype dtype) {
  switch (dtype) {
    case Dtype::fp32:
    case Dtype::tf32:
      return 4.0;
    case Dtype::fp16:
    case Dtype::bf16:
      return 2.0;
    case Dtype::fp8_e4m3:
      return 1.0;
  }
  return 0.0;
}

std::string_view dtype_name(Dtype dtype) {
  for (const auto& [value, name] : kNames) {
    if (value == dtype) return name;
  }
  return "?";
}

std::string allowed_dtype_names() {
  std::string out;
  for (const auto& [value, name] : kNames) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

Dtype parse_dtype(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  throw InvalidInput("dtype", "unknown dtype '" + std::string(name) + "'; allowed: " + allowed_dtype_names());
}

}  // namespace attnsim

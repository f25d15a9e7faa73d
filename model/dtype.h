// Element types of attention inputs and their storage sizes.
#pragma once

#include <string>
#include <string_view>

namespace attnsim {

// tf32 is stored as fp32 in memory; it only changes the tensor-core rate of matmuls.
enum class Dtype { fp32, tf32, fp16, bf16, fp8_e4m3 };

double element_bytes(Dtype dtype);
std::string_view dtype_name(Dtype dtype);
// Throws InvalidInput("dtype", ...) listing the allowed names.
Dtype parse_dtype(std::string_view name);
std::string allowed_dtype_names();

}  // namespace attnsim

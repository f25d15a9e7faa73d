// How the decoder's weight matrices are stored: in the model dtype, or quantized weight-only as the
// common checkpoint formats do. The bytes per weight include the formats' scales; embeddings, the LM
// head, norms and routers stay in the model dtype, as those formats leave them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/dtype.h"

namespace attnsim::capacity {

// model: the --dtype of the activations (no quantization).
// bf16, fp16: 16-bit matrices whatever the activations.
// fp8: e4m3 with per-tensor or per-channel scales (vLLM's fp8 checkpoints) or DeepSeek-V3's fp32
//   scale per 128 x 128 block (README_WEIGHTS.md): at most 4 B per 16,384 weights, not counted.
// int8, int4: group-wise integers with one 16-bit scale per `group_size` weights along the input
//   dimension, as GPTQ (arXiv 2210.17323) and AWQ (arXiv 2306.00978) store them (q_group_size 128,
//   fp16 scales). Asymmetric variants also pack a zero point per group (0.5 B per group in int4,
//   0.4% of int4 weights at group 128), not counted.
enum class WeightDtype { model, bf16, fp16, fp8, int8, int4 };

struct WeightFormat {
  WeightDtype dtype = WeightDtype::model;
  std::int64_t group_size = 128;  // int8, int4: weights per scale

  bool quantized() const {
    return dtype == WeightDtype::fp8 || dtype == WeightDtype::int8 || dtype == WeightDtype::int4;
  }
};

std::string_view weight_dtype_name(WeightDtype dtype);
WeightDtype parse_weight_dtype(std::string_view name);  // throws InvalidInput("weight-dtype", ...)

// Bytes one element of a quantizable matrix takes, its share of the scales included:
// int4 at group 128 is 0.5 + 2 / 128 = 0.515625 B.
double matrix_element_bytes(const WeightFormat& format, Dtype activations);

// "int4 (a 16-bit scale per 128 weights)"; "" when the matrices are in the model dtype.
std::string weight_format_label(const WeightFormat& format);

}  // namespace attnsim::capacity

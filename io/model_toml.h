// Writes an imported model (io/hf_config.h) as a model file in the schema of models/SCHEMA.md:
// every value with the source it came from, so io/model_config.h reads back the same ModelConfig.
#pragma once

#include <string>

#include "io/hf_config.h"

namespace attnsim {

std::string model_file_text(const ImportedModel& imported);

}  // namespace attnsim

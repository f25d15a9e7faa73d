// Hugging Face config.json readers for the SSM architectures (io/hf_config.h): transformers' mamba,
// mamba2 and falcon_h1 (a parallel hybrid), and mamba_ssm's own config.json.
#pragma once

#include "capacity/model_config.h"
#include "io/hf_fields.h"

namespace attnsim::hf {

capacity::ModelConfig read_mamba(Fields& f);
capacity::ModelConfig read_mamba2(Fields& f);
// `root` is the whole file, for its ssm_cfg.
capacity::ModelConfig read_mamba_ssm(Fields& f, const json& root);
capacity::ModelConfig read_falcon_h1(Fields& f);

}  // namespace attnsim::hf

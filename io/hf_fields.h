// The shared reading of a Hugging Face config.json (io/hf_config.h): one JSON object's keys read
// strictly, each value's source recorded, and the fields every architecture has.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "capacity/model_config.h"
#include "model/error.h"

namespace attnsim::hf {

using nlohmann::json;

// Where the import stands: which file, which option errors name, which type, and the sources so far.
struct Context {
  std::string file;
  std::string option;
  std::string model_type;
  std::map<std::string, std::string> sources;

  [[noreturn]] void fail(const std::string& message) const { throw InvalidInput(option, file + ": " + message); }
};

// The keys of one JSON object (the config, or its text_config / ssm_cfg), read strictly: a required
// key must be there and not null, numbers must be whole, and each value read records its source.
class Fields {
 public:
  Fields(const json& object, std::string prefix, Context& context)
      : object_(object), prefix_(std::move(prefix)), context_(context) {}

  const json* find(const std::string& key) const {
    const auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  bool has(const std::string& key) const { return find(key) != nullptr; }
  std::string name(const std::string& key) const { return prefix_ + key; }
  std::string from(const std::string& key) const { return "from config.json key " + name(key); }

  const json& require(const std::string& key) const {
    const json* value = find(key);
    if (!value) context_.fail("missing key '" + name(key) + "' (model_type " + context_.model_type + ")");
    return *value;
  }
  // Shapes are below 2^31, so products of two (expand x hidden) cannot overflow; the model-file
  // reader then checks each field's own range.
  std::int64_t whole(const std::string& key, const json& value) const {
    constexpr double kLimit = 2147483648.0;  // 2^31
    if (value.is_number()) {
      const double number = value.get<double>();
      if (number >= 0 && number < kLimit && number == double(std::int64_t(number))) return std::int64_t(number);
    }
    context_.fail("key '" + name(key) + "' must be a whole number in [0, 2^31), not " + value.dump());
  }
  // A required whole number, recorded as the source of model-file key `field`.
  std::int64_t integer(const std::string& field, const std::string& key) {
    const std::int64_t value = whole(key, require(key));
    context_.sources[field] = from(key);
    return value;
  }
  // A whole number the config may leave out; `fallback` is the library default, with its source.
  std::int64_t integer_or(const std::string& field, const std::string& key, std::int64_t fallback,
                          const std::string& fallback_source) {
    if (!has(key)) {
      context_.sources[field] = "config.json has no " + name(key) + "; " + fallback_source;
      return fallback;
    }
    return integer(field, key);
  }
  bool flag_or(const std::string& field, const std::string& key, bool fallback, const std::string& fallback_source) {
    const json* value = find(key);
    if (!value) {
      context_.sources[field] = "config.json has no " + name(key) + "; " + fallback_source;
      return fallback;
    }
    if (!value->is_boolean()) context_.fail("key '" + name(key) + "' must be true or false, not " + value->dump());
    context_.sources[field] = from(key);
    return value->get<bool>();
  }
  // true/false without recording a source (keys that only decide whether a shape is modelled).
  bool flag(const std::string& key, bool fallback) const {
    const json* value = find(key);
    if (!value) return fallback;
    if (!value->is_boolean()) context_.fail("key '" + name(key) + "' must be true or false, not " + value->dump());
    return value->get<bool>();
  }
  void note(const std::string& field, const std::string& source) { context_.sources[field] = source; }
  Context& context() { return context_; }

 private:
  const json& object_;
  std::string prefix_;
  Context& context_;
};

// "transformers <class> default <value>", the source of a value a config leaves out.
std::string class_default(const std::string& config_class, const std::string& value);
// The transformers configuration class of a model_type, named in the sources of defaults.
std::string config_class(const std::string& type);
// num_hidden_layers, hidden_size and tie_word_embeddings (else the class's default).
void read_embeddings(Fields& f, capacity::ModelConfig& m, const std::string& type);
// num_attention_heads, num_key_value_heads (else no GQA), head_dim (else hidden_size / heads).
void read_heads(Fields& f, capacity::ModelConfig& m, const std::string& type);

}  // namespace attnsim::hf

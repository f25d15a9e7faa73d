// Typed errors thrown by the library. Only the command line turns them into messages and exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace attnsim {

// Input that can never work: a bad size, an unknown name, a malformed profile field.
// `field` names what was wrong (a workload option such as "heads", or "file.toml: key").
class InvalidInput : public std::runtime_error {
 public:
  InvalidInput(std::string field, const std::string& message)
      : std::runtime_error(message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

}  // namespace attnsim

// Running the command line in-process for tests: exit status and both output streams.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"

namespace attnsim::cli::testing {

struct Result {
  int status;
  std::string out;
  std::string err;
};

inline Result attnsim(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  const int status = run(args, out, err);
  return {status, out.str(), err.str()};
}

// A fresh path in the test scratch folder (any earlier file of that name removed).
inline std::filesystem::path scratch(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "attnsim_cli_test";
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / name);
  return dir / name;
}

}  // namespace attnsim::cli::testing

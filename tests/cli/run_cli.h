// Runs the command line in-process for the CLI tests, and gives each test a fresh scratch file.
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

// A path in a per-suite temporary folder, removed if a previous run left it.
inline std::filesystem::path scratch(const std::string& folder, const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / folder;
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / name);
  return dir / name;
}

}  // namespace attnsim::cli::testing

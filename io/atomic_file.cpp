#include "io/atomic_file.h"

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

#include "model/error.h"

namespace attnsim {

void check_output_path(const std::filesystem::path& path, const std::string& field) {
  if (path.empty()) throw InvalidInput(field, "is empty; expected a file path");
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(folder)) {
    throw InvalidInput(field, "folder '" + folder.string() + "' does not exist (create it first)");
  }
  if (std::filesystem::is_directory(path)) throw InvalidInput(field, "'" + path.string() + "' is a folder, not a file");
}

std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
  static std::atomic<int> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  return tmp;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content, const std::string& field) {
  check_output_path(path, field);
  const std::filesystem::path tmp = temporary_sibling(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw std::runtime_error("cannot write '" + path.string() + "'");
    }
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace attnsim

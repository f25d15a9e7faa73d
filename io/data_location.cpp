#include "io/data_location.h"

#include <algorithm>
#include <cstdlib>
#include <system_error>

namespace attnsim {
namespace {

bool holds_toml(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".toml") return true;
  }
  return false;
}

// True when `file` lies somewhere below `dir`, both with symbolic links resolved.
bool lies_within(const std::filesystem::path& file, const std::filesystem::path& dir) {
  std::error_code ec;
  const std::filesystem::path f = std::filesystem::weakly_canonical(file, ec);
  if (ec) return false;
  std::filesystem::path d = std::filesystem::weakly_canonical(dir, ec);
  if (ec || d.empty()) return false;
  if (!d.has_filename()) d = d.parent_path();  // "build/" names the same folder as "build"
  return std::mismatch(d.begin(), d.end(), f.begin(), f.end()).first == d.end();
}

std::string quoted(const std::filesystem::path& path) {
  std::string text(1, '\'');  // appended, not "'" + ...: GCC 12 warns falsely on that (-Wrestrict)
  text += path.string();
  text += '\'';
  return text;
}

std::optional<std::filesystem::path>& program_file() {
  static std::optional<std::filesystem::path> file;
  return file;
}

std::filesystem::path& program_data_from_file() {
  static std::filesystem::path path;
  return path;
}

}  // namespace

void set_program_file(const std::filesystem::path& file, const std::filesystem::path& data_from_file) {
  program_file() = file;
  program_data_from_file() = data_from_file;
}

std::filesystem::path locate_data_folder(const DataFolder& folder, const DataSearch& search) {
  const std::string missing = folder.what + " (" + folder.name + "/*.toml) not found: ";
  if (search.env_value) {
    if (holds_toml(*search.env_value)) return *search.env_value;
    throw DataNotFound(missing + folder.env_var + "=" + quoted(*search.env_value) + " holds no .toml files");
  }
  std::string looked;
  if (search.executable) {
    const std::filesystem::path installed =
        (search.executable->parent_path() / search.data_from_executable / folder.name).lexically_normal();
    if (holds_toml(installed)) return installed;
    looked = quoted(installed) + " (installed beside " + quoted(*search.executable) + ")";
    if (lies_within(*search.executable, search.build_dir)) {
      const std::filesystem::path source = search.source_dir / folder.name;
      if (holds_toml(source)) return source;
      looked += " and " + quoted(source) + " (the source tree of the build tree it runs from)";
    }
  } else {
    looked = "nowhere (the running program's path is unknown)";
  }
  throw DataNotFound(missing + "looked in " + looked + "; set " + folder.env_var + " to the folder");
}

std::filesystem::path locate_data_folder(const DataFolder& folder) {
  DataSearch search;
  const char* env = std::getenv(folder.env_var.c_str());
  if (env && *env) search.env_value = env;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (program_file()) {
    search.executable = program_file();
  } else if (!ec) {
    search.executable = exe;
  }
  search.data_from_executable = ATTNSIM_DATA_FROM_BIN;
  if (program_file() && !program_data_from_file().empty()) search.data_from_executable = program_data_from_file();
  search.build_dir = ATTNSIM_BUILD_DIR;
  search.source_dir = ATTNSIM_SOURCE_DIR;
  return locate_data_folder(folder, search);
}

}  // namespace attnsim

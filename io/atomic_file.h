// Output files are written whole or not at all: content goes to a temporary file in the target
// folder, which is renamed over the target only once complete.
#pragma once

#include <filesystem>
#include <string>

namespace attnsim {

// Throws InvalidInput(field, ...) if the folder is missing; std::runtime_error on I/O failure.
void check_output_path(const std::filesystem::path& path, const std::string& field);
void write_file_atomically(const std::filesystem::path& path, const std::string& content, const std::string& field);
// A temporary path beside `path` for tools (gnuplot) that write the file themselves.
std::filesystem::path temporary_sibling(const std::filesystem::path& path);

}  // namespace attnsim

// Where the built-in data folders (hw_profiles/, models/) are, so that an installed attnsim works from
// any prefix, also after the prefix is moved, and a program run from its build tree reads the sources.
// Order: the environment variable (ATTNSIM_PROFILES, ATTNSIM_MODELS); the installed layout beside the
// executable (<prefix>/bin/attnsim -> <prefix>/share/attnsim/<folder>); the source tree, only for a
// program inside the build tree it was compiled in. Nothing found is an error, never an empty list.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace attnsim {

// The data a program needs is not where it looked: a runtime failure, not bad input.
class DataNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One data folder and how to describe it: "hw_profiles", "ATTNSIM_PROFILES", "GPU profiles".
struct DataFolder {
  std::string name;
  std::string env_var;
  std::string what;
};

// What a lookup sees of the running program; a parameter so that tests can give it any.
struct DataSearch {
  std::optional<std::filesystem::path> env_value;   // the variable's value, when set and not empty
  std::optional<std::filesystem::path> executable;  // the running program's file, when known
  std::filesystem::path data_from_executable;       // "../share/attnsim": the installed layout
  std::filesystem::path build_dir;                  // the build tree the library was compiled in
  std::filesystem::path source_dir;                 // and its source tree
};

// The folder of `folder`'s .toml files; throws DataNotFound with one line naming every place it
// looked and the variable that overrides them.
std::filesystem::path locate_data_folder(const DataFolder& folder, const DataSearch& search);
// The same for this process: its environment, its executable (/proc/self/exe, or the file named by
// set_program_file) and the paths compiled in.
std::filesystem::path locate_data_folder(const DataFolder& folder);

// A host process that loads the libraries as a shared object (python3 loading the attnsim module)
// names that file, so the data is looked for beside it rather than beside the host's executable;
// `data_from_file`, when not empty, is where the installed data lies relative to that file's folder
// (the module installs to <prefix>/lib/pythonX.Y/site-packages/attnsim, not to <prefix>/bin).
void set_program_file(const std::filesystem::path& file, const std::filesystem::path& data_from_file = {});

}  // namespace attnsim

// Where the built-in data is found: the environment variable, the installed layout beside the
// executable, and the source tree only for a program running from its build tree.
#include "io/data_location.h"

#include <gtest/gtest.h>
#include <fstream>

namespace attnsim {
namespace {

namespace fs = std::filesystem;

const DataFolder kProfiles{"hw_profiles", "ATTNSIM_PROFILES", "GPU profiles"};

// A fresh folder tree for one test: <tmp>/attnsim_data_location_test/<name>.
fs::path fresh(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "attnsim_data_location_test" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path with_profile(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream(dir / "h100-sxm.toml") << "id = \"h100-sxm\"\n";
  return dir;
}

// A build tree (root/build/attnsim), its source tree (root/src) with profiles, and a prefix
// (root/prefix/bin/attnsim) with nothing installed yet.
DataSearch search_in(const fs::path& root, const fs::path& executable) {
  with_profile(root / "src/hw_profiles");
  fs::create_directories(root / "build");
  DataSearch s;
  s.executable = executable;
  s.data_from_executable = "../share/attnsim";
  s.build_dir = root / "build";
  s.source_dir = root / "src";
  return s;
}

std::string error_of(const DataSearch& search) {
  try {
    locate_data_folder(kProfiles, search);
  } catch (const DataNotFound& e) {
    return e.what();
  }
  return "no error";
}

TEST(DataLocation, TheEnvironmentVariableWinsOverEverything) {
  const fs::path root = fresh("env");
  DataSearch s = search_in(root, root / "build/attnsim");
  s.env_value = with_profile(root / "mine");
  EXPECT_EQ(locate_data_folder(kProfiles, s), root / "mine");
}

TEST(DataLocation, AnEnvironmentVariableWithoutProfilesFailsNamingIt) {
  const fs::path root = fresh("env_empty");
  DataSearch s = search_in(root, root / "build/attnsim");
  s.env_value = root / "nothing-here";
  EXPECT_EQ(error_of(s), std::string("GPU profiles (hw_profiles/*.toml) not found: ATTNSIM_PROFILES='") +
                             (root / "nothing-here").string() + "' holds no .toml files");
}

TEST(DataLocation, AnInstalledProgramReadsTheShareFolderOfItsPrefix) {
  const fs::path root = fresh("installed");
  with_profile(root / "prefix/share/attnsim/hw_profiles");
  EXPECT_EQ(locate_data_folder(kProfiles, search_in(root, root / "prefix/bin/attnsim")),
            root / "prefix/share/attnsim/hw_profiles");
}

TEST(DataLocation, AProgramInTheBuildTreeReadsTheSourceTree) {
  const fs::path root = fresh("build_tree");
  EXPECT_EQ(locate_data_folder(kProfiles, search_in(root, root / "build/tests/attnsim_tests")),
            root / "src/hw_profiles");
}

TEST(DataLocation, AProgramOutsideTheBuildTreeNeverFallsBackToTheSourceTree) {
  // An installed binary whose data was removed must fail, even where its source tree still exists.
  const fs::path root = fresh("outside");
  const std::string error = error_of(search_in(root, root / "prefix/bin/attnsim"));
  EXPECT_EQ(error, std::string("GPU profiles (hw_profiles/*.toml) not found: looked in '") +
                       (root / "prefix/share/attnsim/hw_profiles").string() + "' (installed beside '" +
                       (root / "prefix/bin/attnsim").string() + "'); set ATTNSIM_PROFILES to the folder");
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(DataLocation, ABuildTreeWithoutItsSourcesNamesBothPlaces) {
  const fs::path root = fresh("no_sources");
  DataSearch s = search_in(root, root / "build/attnsim");
  fs::remove_all(root / "src");
  const std::string error = error_of(s);
  EXPECT_NE(error.find(std::string("'") + (root / "src/hw_profiles").string() + "' (the source tree"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("set ATTNSIM_PROFILES to the folder"), std::string::npos) << error;
}

}  // namespace
}  // namespace attnsim

// Throwaway repositories on disk for tests: files from a map, removed on destruction.
#pragma once
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <utility>
#include <string>

namespace mg::test {

class TempRepo {
 public:
  TempRepo() : TempRepo(std::initializer_list<std::pair<std::string, std::string>>{}) {}
  explicit TempRepo(std::initializer_list<std::pair<std::string, std::string>> files) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mg-test-XXXXXX").string();
    root_ = mkdtemp(tmpl.data());
    for (const auto& [path, content] : files) write(path, content);
  }
  ~TempRepo() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;

  void write(const std::string& rel, const std::string& content) const {
    const auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void symlink(const std::string& target, const std::string& rel) const {
    const auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }
  std::string path(const std::string& rel = "") const { return rel.empty() ? root_.string() : (root_ / rel).string(); }

 private:
  std::filesystem::path root_;
};

}  // namespace mg::test

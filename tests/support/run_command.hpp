// Runs a shell command line for the CLI tests: its exit code, standard output and standard error.
#pragma once
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "temp_repo.hpp"

namespace mg::test {

struct CommandRun {
  int code = -1;  // -1: did not start or did not exit normally
  std::string out;
  std::string err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline CommandRun run_command(const std::string& command) {
  TempRepo scratch;
  const std::string err = scratch.path("stderr");
  CommandRun r;
  FILE* p = popen((command + " 2>" + err).c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = slurp(err);
  return r;
}

}  // namespace mg::test

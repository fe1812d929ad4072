// The python engine: every .py file of the snapshot through the Analyzer, in parallel.
#pragma once
#include <memory>

#include "engines/engine.hpp"

namespace mg {

struct PythonEngineOptions {
  // `# nosec` and `# modelgate: ignore[...]` are written by whoever wrote the code; a gate over
  // untrusted repositories can refuse to let them hide findings.
  bool honor_suppressions = true;
};

std::unique_ptr<Engine> make_python_engine(PythonEngineOptions options = {});

}  // namespace mg

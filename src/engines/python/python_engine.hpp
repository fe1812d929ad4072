// The python engine: every .py file of the snapshot through the Analyzer, in parallel.
#pragma once
#include <memory>

#include "engines/engine.hpp"

namespace mg {

std::unique_ptr<Engine> make_python_engine();

}  // namespace mg

// The engines compiled into this binary, in run order. Each engine adds itself here with one line.
#include "engines/config/config_engine.hpp"
#include "engines/engine.hpp"
#include "engines/python/python_engine.hpp"
#include "engines/serialized/serialized_engine.hpp"
#include "engines/yara/yara_engine.hpp"

namespace mg {

std::vector<std::unique_ptr<Engine>> make_builtin_engines() {
  std::vector<std::unique_ptr<Engine>> engines;
  engines.push_back(make_config_engine());
  engines.push_back(make_python_engine());
  engines.push_back(make_serialized_engine());
  engines.push_back(make_yara_engine());
  return engines;
}

}  // namespace mg

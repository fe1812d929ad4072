// The config engine: risks written in repository JSON/YAML rather than code — keys that switch
// trust_remote_code on for downstream loaders, and YAML tags that construct Python objects.
#pragma once
#include <memory>

#include "engines/engine.hpp"

namespace mg {

std::unique_ptr<Engine> make_config_engine();

}  // namespace mg

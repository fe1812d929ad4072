// SHA-256 (OpenSSL; uses SHA-NI where the CPU has it).
#pragma once
#include <string>
#include <string_view>

namespace mg {

std::string sha256_hex(std::string_view data);

}  // namespace mg

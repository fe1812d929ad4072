// is_password_name is a hand-written form of Bandit's B105-B107 name regex; it must agree with
// that regex on every name.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "python/checker.hpp"

namespace mg::py {
namespace {

bool bandit_regex(const std::string& name) {
  static const std::regex re(
      "(^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|"
      "^(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)_|_(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)$)",
      std::regex::icase);
  return std::regex_search(name, re);
}

TEST(PasswordName, AgreesWithBanditsRegex) {
  const std::vector<std::string> words = {"password", "PASSWORD", "passwd", "paswd", "pasword", "passsssword", "paswod",
                                          "passwrd", "pass", "passphrase", "pwd", "token", "secret", "secrete", "Secret",
                                          "pw", "passw", "passwords", "mypassword", "tokens", "secreted", "pas", "wd", "",
                                          "db", "api", "x", "passs", "pa", "passwor", "passwordd"};
  std::vector<std::string> names;
  for (const auto& a : words) {
    names.push_back(a);
    for (const auto& b : words) {
      names.push_back(a + "_" + b);
      names.push_back(a + b);
      names.push_back("_" + a + "__" + b + "_");
    }
  }
  for (const auto& n : names) EXPECT_EQ(is_password_name(n), bandit_regex(n)) << n;
  EXPECT_TRUE(is_password_name("db_password"));
  EXPECT_TRUE(is_password_name("SECRET_KEY") == bandit_regex("SECRET_KEY"));
  EXPECT_FALSE(is_password_name("passport"));
}

}  // namespace
}  // namespace mg::py

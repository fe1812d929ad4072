// The --policy parser and the credential-name patterns (the rest of `modelgate run` is tested
// through the binary by sandbox_test.py).
#include <gtest/gtest.h>

#include "sandbox/policy.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/seccomp_filter.hpp"

#include <unistd.h>

namespace mg::sandbox {

TEST(Policy, AcceptsTheDocumentedExample) {
  auto p = parse_policy(R"({"version": 1, "allow_network": true, "write_paths": ["/srv/out"], "read_only_paths": ["/opt/venv", "/data/x.bin"]})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->allow_network);
  EXPECT_EQ(p->write_paths, std::vector<std::string>{"/srv/out"});
  EXPECT_EQ(p->read_only_paths.size(), 2u);
  auto minimal = parse_policy(R"({"version": 1})");
  ASSERT_TRUE(minimal);
  EXPECT_FALSE(minimal->allow_network);
}

TEST(Policy, RejectsWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not valid JSON"},
      {"[1]", "JSON object"},
      {R"({"version": 2})", "\"version\" must be 1"},
      {R"({"version": "1"})", "\"version\" must be 1"},
      {R"({"version": 1, "hosts": []})", "unknown key \"hosts\""},
      {R"({"version": 1, "allow_network": 1})", "true or false"},
      {R"({"version": 1, "write_paths": "/tmp"})", "array"},
      {R"({"version": 1, "write_paths": [1]})", "strings"},
      {R"({"version": 1, "write_paths": ["/"]})", "plain absolute path"},
      {R"({"version": 1, "write_paths": ["/a//b"]})", "plain absolute path"},
      {R"({"version": 1, "write_paths": ["/a/./b"]})", "plain absolute path"},
      {R"({"version": 1, "write_paths": ["/a/"]})", "plain absolute path"},
      {R"({"version": 1, "read_only_paths": ["/a/.."]})", "plain absolute path"},
      {R"({"version": 1, "read_only_paths": ["a/b"]})", "plain absolute path"},
      {R"({"version": 1, "read_only_paths": ["/a\u0000b"]})", "plain absolute path"},
      {R"({"version": 1, "x": [[[[[[[[[[1]]]]]]]]]]})", "deeper"},
  };
  for (const auto& [text, reason] : cases) {
    auto p = parse_policy(text);
    ASSERT_FALSE(p) << text;
    EXPECT_NE(p.error().message.find(reason), std::string::npos) << text << " -> " << p.error().message;
  }
  std::string many = R"({"version": 1, "write_paths": [)";
  for (int i = 0; i < 65; ++i) many += std::string(i ? "," : "") + "\"/p" + std::to_string(i) + "\"";
  EXPECT_FALSE(parse_policy(many + "]}"));
}

TEST(Policy, ResourceLimits) {
  auto p = parse_policy(R"({"version": 1, "limits": {"address_space_mb": 4096, "cpu_seconds": 600, "processes": 64, "file_size_mb": 10240}})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->limits.address_space_mb, 4096u);
  EXPECT_EQ(p->limits.cpu_seconds, 600u);
  EXPECT_EQ(p->limits.processes, 64u);
  EXPECT_EQ(p->limits.file_size_mb, 10240u);
  auto none = parse_policy(R"({"version": 1, "limits": {}})");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->limits.cpu_seconds, 0u);  // 0 = not limited
  for (const char* bad : {R"({"version": 1, "limits": {"cpu_seconds": 0}})", R"({"version": 1, "limits": {"cpu_seconds": -1}})",
                          R"({"version": 1, "limits": {"cpu_seconds": 1.5}})", R"({"version": 1, "limits": {"cpu_seconds": "60"}})",
                          R"({"version": 1, "limits": {"rss_mb": 10}})", R"({"version": 1, "limits": 5})",
                          R"({"version": 1, "limits": {"processes": 99999999999}})"})
    EXPECT_FALSE(parse_policy(bad)) << bad;
}

TEST(SecretEnv, NamesThatLookLikeCredentials) {
  for (const char* n : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "GITHUB_TOKEN", "OPENAI_API_KEY",
                        "my_password", "DB_PASSWD", "SSH_AUTH_SOCK", "HTTPS_PROXY", "GOOGLE_APPLICATION_CREDENTIALS", "api_key", "Session_Id"})
    EXPECT_TRUE(secret_env_name(n)) << n;
  for (const char* n : {"PATH", "LANG", "LC_ALL", "PYTHONHASHSEED", "OMP_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "TERM", "USER"})
    EXPECT_FALSE(secret_env_name(n)) << n;
}

TEST(Seccomp, ExportsANonEmptyProgram) {
  auto fd = export_seccomp_filter();
  ASSERT_TRUE(fd) << fd.error().message;
  const off_t size = lseek(*fd, 0, SEEK_END);
  close(*fd);
  // Classic BPF instructions are 8 bytes; one compare-and-return pair per refused syscall at least.
  EXPECT_EQ(size % 8, 0);
  EXPECT_GT(size, static_cast<off_t>(8 * 2 * 20));
}

}  // namespace mg::sandbox

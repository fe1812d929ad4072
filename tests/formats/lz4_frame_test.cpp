// LZ4 frames (joblib compress="lz4"), written here with liblz4's own compressor: decoded whole,
// followed across concatenated frames, and bounded; broken frames keep what came before the break.
#include "formats/lz4_frame.hpp"

#include <gtest/gtest.h>
#include <lz4frame.h>

#include <string>
#include <vector>

namespace mg::lz4 {
namespace {

std::vector<std::uint8_t> frame(const std::string& text, bool checksum = false) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.contentChecksumFlag = checksum ? LZ4F_contentChecksumEnabled : LZ4F_noContentChecksum;
  std::vector<std::uint8_t> out(LZ4F_compressFrameBound(text.size(), &prefs));
  const std::size_t n = LZ4F_compressFrame(out.data(), out.size(), text.data(), text.size(), &prefs);
  EXPECT_FALSE(LZ4F_isError(n));
  out.resize(n);
  return out;
}

std::string text_of(const Decoded& d) { return {d.bytes.begin(), d.bytes.end()}; }

TEST(Lz4Frame, DecodesWholeAndConcatenatedFrames) {
  const std::string pickle = "\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.";
  const auto one = decompress(frame(pickle), 1 << 20);
  ASSERT_TRUE(one.complete) << one.error;
  EXPECT_EQ(text_of(one), pickle);

  const std::string big(300000, 'x');  // several blocks, larger than one output chunk
  auto two = frame(big, true);
  const auto second = frame("tail");
  two.insert(two.end(), second.begin(), second.end());
  const auto d = decompress(two, 1 << 20);
  ASSERT_TRUE(d.complete) << d.error;
  EXPECT_EQ(text_of(d), big + "tail");
}

TEST(Lz4Frame, OutputNeverPassesTheCap) {
  const auto d = decompress(frame(std::string(1 << 20, '\0')), 4096);  // a small bomb
  EXPECT_FALSE(d.complete);
  EXPECT_TRUE(d.capped);
  EXPECT_EQ(d.bytes.size(), 4096u);
}

TEST(Lz4Frame, BrokenFramesKeepThePrefixAndSayWhy) {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "row " + std::to_string(i) + "\n";
  auto f = frame(text);
  auto cut = std::vector<std::uint8_t>(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(f.size() / 2));
  const auto t = decompress(cut, 1 << 20);
  EXPECT_FALSE(t.complete);
  EXPECT_FALSE(t.capped);
  EXPECT_NE(t.error.find("truncated"), std::string::npos) << t.error;
  EXPECT_GT(t.bytes.size(), 0u);
  EXPECT_EQ(text_of(t), text.substr(0, t.bytes.size()));

  auto trailing = frame("abc");
  trailing.push_back('Z');
  const auto g = decompress(trailing, 1 << 20);
  EXPECT_FALSE(g.complete);
  EXPECT_EQ(text_of(g), "abc");
  EXPECT_NE(g.error.find("after the last LZ4 frame"), std::string::npos) << g.error;

  auto corrupt = frame(text, true);
  corrupt[corrupt.size() - 6] ^= 0x55;  // inside the content checksum or the last block
  EXPECT_FALSE(decompress(corrupt, 1 << 20).complete);

  EXPECT_FALSE(is_frame(std::vector<std::uint8_t>{0x04, 0x22, 0x4d}));
  EXPECT_EQ(decompress(std::vector<std::uint8_t>{'P', 'K', 3, 4}, 1 << 20).error, "not an LZ4 frame");
}

}  // namespace
}  // namespace mg::lz4

// A hub file's unfetched bytes read by a parser are fetched and the target scanned again; what is
// still unread after the last round makes the target partial, never silently clean.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "engines/engine.hpp"
#include "pipeline/scan.hpp"
#include "source/hub/sparse_blob.hpp"

namespace {

using mg::hub::SparseBlob;

// Holds the whole file and hands over only the pages the last scan touched.
class TouchedPages final : public mg::RemoteFiles {
 public:
  TouchedPages(std::vector<std::uint8_t> data, std::shared_ptr<SparseBlob> blob) : data_(std::move(data)), blob_(std::move(blob)) {}
  bool fetch_missing(std::vector<mg::Incomplete>&) override {
    const auto touched = blob_->touched_unfetched();
    if (touched.empty()) return false;
    for (auto [a, e] : touched) {
      e = std::min<std::uint64_t>(data_.size(), std::max<std::uint64_t>(e, a + (16u << 10)));
      blob_->fill(a, data_.data() + a, e - a);
    }
    ++rounds_;
    return true;
  }
  mg::Transfer transfer() const override {
    mg::Transfer t;
    t.rounds = rounds_;
    return t;
  }

 private:
  std::vector<std::uint8_t> data_;
  std::shared_ptr<SparseBlob> blob_;
  std::uint64_t rounds_ = 0;
};

// PROTO 2, `hops` strings of `pad` bytes each (popped), then os.system('id'): the import sits past
// the padding, and each string's end is only known once its length has been read.
std::vector<std::uint8_t> pickle_with_padding(std::uint32_t pad, int hops = 1) {
  std::vector<std::uint8_t> p = {0x80, 2};
  for (int h = 0; h < hops; ++h) {
    p.push_back('X');
    for (int i = 0; i < 4; ++i) p.push_back(static_cast<std::uint8_t>(pad >> (8 * i)));
    p.insert(p.end(), pad, 'a');
    p.push_back('0');
  }
  for (char c : std::string_view("cos\nsystem\nX\x02\x00\x00\x00id\x85R.", 21)) p.push_back(static_cast<std::uint8_t>(c));
  return p;
}

mg::TargetReport scan_remote(const std::vector<std::uint8_t>& data) {
  auto blob = SparseBlob::create(data.size());
  EXPECT_TRUE(blob);
  (*blob)->fill(0, data.data(), SparseBlob::kPage);  // the source's guess: the first page only
  mg::Snapshot snap;
  snap.target = "hf:acme/rounds";
  snap.kind = "hub";
  snap.members.push_back(*blob);
  snap.files.push_back(mg::FileEntry{"model.pkl", data.size(), {}, 0, {}, false});
  snap.remote = std::make_shared<TouchedPages>(data, *blob);
  const auto engines = mg::make_builtin_engines();
  return mg::scan_remote_aware(snap, engines, mg::Limits{});
}

bool imports_os_system(const mg::TargetReport& r) {
  return std::any_of(r.findings.begin(), r.findings.end(),
                     [](const mg::Finding& f) { return f.rule_id == "SZ201" && f.message.find("os.system") != std::string::npos; });
}

TEST(HubRounds, UnfetchedReadsAreFetchedAndScannedAgain) {
  const auto r = scan_remote(pickle_with_padding(3u << 20));
  ASSERT_TRUE(r.transfer);
  EXPECT_GE(r.transfer->rounds, 1u);
  EXPECT_TRUE(imports_os_system(r));
  EXPECT_FALSE(r.partial()) << (r.incomplete.empty() ? "" : r.incomplete.front().reason);
}

TEST(HubRounds, StillReadingAfterTheLastRoundIsPartial) {
  // Each round reveals one more string length, so four rounds end short of the import.
  const auto r = scan_remote(pickle_with_padding(1u << 20, 8));
  ASSERT_TRUE(r.transfer);
  EXPECT_TRUE(r.partial());
  EXPECT_FALSE(imports_os_system(r));
  EXPECT_TRUE(std::any_of(r.incomplete.begin(), r.incomplete.end(),
                          [](const mg::Incomplete& i) { return i.reason.find("kept reading") != std::string::npos; }));
}

}  // namespace

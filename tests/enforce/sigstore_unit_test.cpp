// The Sigstore pieces below verify_keyless: RFC 6962 Merkle inclusion proofs (every leaf of trees
// of every size up to 17, against a reference tree hash), checkpoint notes, SCT lists, the SET's
// canonical JSON, RFC 3339 times and trusted_root.json parsing. End-to-end cases with a test PKI
// are in sigstore_test.py.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "enforce/oms.hpp"
#include "enforce/sigstore.hpp"
#include "enforce/trust_root.hpp"

namespace {

namespace sg = mg::enforce::sigstore;

std::string sha(std::string_view b) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(b.data(), b.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

// RFC 6962 §2.1 MTH and PATH, written from the definitions (recursive, the slow obvious way).
std::size_t split(std::size_t n) {
  std::size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
std::string mth(const std::vector<std::string>& d, std::size_t from, std::size_t n) {
  if (n == 1) return sha(std::string(1, '\0') + d[from]);
  const std::size_t k = split(n);
  return sha(std::string(1, '\1') + mth(d, from, k) + mth(d, from + k, n - k));
}
std::vector<std::string> path(std::size_t m, const std::vector<std::string>& d, std::size_t from, std::size_t n) {
  if (n == 1) return {};
  const std::size_t k = split(n);
  std::vector<std::string> p;
  if (m < k) {
    p = path(m, d, from, k);
    p.push_back(mth(d, from + k, n - k));
  } else {
    p = path(m - k, d, from + k, n - k);
    p.push_back(mth(d, from, k));
  }
  return p;
}

TEST(SigstoreMerkle, EveryLeafOfEveryTreeSizeProvesAndTamperingFails) {
  for (std::size_t n = 1; n <= 17; ++n) {
    std::vector<std::string> leaves;
    for (std::size_t i = 0; i < n; ++i) leaves.push_back("entry " + std::to_string(i));
    const std::string root = mth(leaves, 0, n);
    for (std::size_t m = 0; m < n; ++m) {
      auto p = path(m, leaves, 0, n);
      const auto lh = sg::leaf_hash(leaves[m]);
      const auto i = static_cast<std::int64_t>(m);
      const auto size = static_cast<std::int64_t>(n);
      EXPECT_TRUE(sg::verify_inclusion(lh, i, size, p, root)) << n << " " << m;
      EXPECT_FALSE(sg::verify_inclusion(sg::leaf_hash("other"), i, size, p, root));
      if (n > 1) {
        EXPECT_FALSE(sg::verify_inclusion(lh, (i + 1) % size, size, p, root)) << n << " " << m;
      }
      // (The tree size is bound by the checkpoint that signs size and root together; a proof
      // for a leaf of the left subtree has the same shape in some larger trees.)
      if (m + 1 == n && n > 1) {
        EXPECT_FALSE(sg::verify_inclusion(lh, i, size + 1, p, root)) << n << " " << m;
      }
      if (!p.empty()) {
        auto bad = p;
        bad.back()[0] ^= 1;
        EXPECT_FALSE(sg::verify_inclusion(lh, i, size, bad, root));
        bad = p;
        bad.pop_back();
        EXPECT_FALSE(sg::verify_inclusion(lh, i, size, bad, root));
      }
      p.push_back(root);  // one hash too many
      EXPECT_FALSE(sg::verify_inclusion(lh, i, size, p, root));
    }
  }
  EXPECT_FALSE(sg::verify_inclusion(sg::leaf_hash("x"), 0, 0, {}, ""));
  EXPECT_FALSE(sg::verify_inclusion(sg::leaf_hash("x"), -1, 1, {}, sg::leaf_hash("x")));
}

TEST(SigstoreCheckpoint, ParsesTheSignedNote) {
  const std::string root(32, 'r');
  const std::string sig = std::string("\x01\x02\x03\x04", 4) + "signature-bytes";
  const std::string body = "log.modelgate.invalid - 42\n1234\n" + mg::enforce::oms::base64_encode(root) + "\n";
  auto cp = sg::parse_checkpoint(body + "\n\xe2\x80\x94 log.modelgate.invalid " + mg::enforce::oms::base64_encode(sig) + "\n");
  ASSERT_TRUE(cp) << cp.error().message;
  EXPECT_EQ(cp->origin, "log.modelgate.invalid - 42");
  EXPECT_EQ(cp->size, 1234);
  EXPECT_EQ(cp->root_hash, root);
  EXPECT_EQ(cp->signed_text, body);
  ASSERT_EQ(cp->signatures.size(), 1u);
  EXPECT_EQ(cp->signatures[0].key_hint, "\x01\x02\x03\x04");
  EXPECT_EQ(cp->signatures[0].signature, "signature-bytes");
  EXPECT_FALSE(sg::parse_checkpoint(body));                                   // no signatures
  EXPECT_FALSE(sg::parse_checkpoint(body + "\n- log sig\n"));                 // not an em dash
  EXPECT_FALSE(sg::parse_checkpoint("o\nnot-a-number\nAAAA\n\n\xe2\x80\x94 a AAAAAAAA\n"));
  EXPECT_FALSE(sg::parse_checkpoint("o\n12\nshort\n\n\xe2\x80\x94 a AAAAAAAA\n"));
}

TEST(SigstoreSct, ParsesTheTlsListAndRejectsBadLengths) {
  std::string sct;
  sct += '\0';
  sct += std::string(32, 'L');
  sct += std::string("\x00\x00\x01\x80\x00\x00\x00\x01", 8);
  sct += std::string("\x00\x00", 2);
  sct += "\x04\x03";
  sct += std::string("\x00\x03", 2) + "sig";
  std::string list = std::string(1, static_cast<char>(sct.size() >> 8)) + static_cast<char>(sct.size() & 0xff) + sct;
  list = std::string(1, static_cast<char>(list.size() >> 8)) + static_cast<char>(list.size() & 0xff) + list;
  auto scts = sg::parse_sct_list(list);
  ASSERT_TRUE(scts) << scts.error().message;
  ASSERT_EQ(scts->size(), 1u);
  EXPECT_EQ((*scts)[0].version, 0);
  EXPECT_EQ((*scts)[0].log_id, std::string(32, 'L'));
  EXPECT_EQ((*scts)[0].timestamp_ms, 0x0000018000000001ull);
  EXPECT_EQ((*scts)[0].hash_alg, 4);
  EXPECT_EQ((*scts)[0].sig_alg, 3);
  EXPECT_EQ((*scts)[0].signature, "sig");
  for (std::size_t cut = 0; cut < list.size(); ++cut) EXPECT_FALSE(sg::parse_sct_list(list.substr(0, cut))) << cut;
  EXPECT_FALSE(sg::parse_sct_list(list + "x"));
}

TEST(SigstoreSet, CanonicalJsonHasSortedKeysAndHexLogId) {
  mg::enforce::oms::TlogEntry e;
  e.body_base64 = "eyJhIjoxfQ==";
  e.integrated_time = 1700000000;
  e.log_id = std::string("\xc0\xd2", 2);
  e.log_index = 25579;
  EXPECT_EQ(sg::set_payload(e), R"({"body":"eyJhIjoxfQ==","integratedTime":1700000000,"logID":"c0d2","logIndex":25579})");
}

TEST(SigstoreTime, Rfc3339InUtc) {
  EXPECT_EQ(*sg::parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*sg::parse_rfc3339("2021-03-07T03:20:29.000Z"), 1615087229);
  EXPECT_EQ(*sg::parse_rfc3339("2022-12-31T23:59:59.999Z"), 1672531199);
  EXPECT_EQ(sg::format_time(1615087229), "2021-03-07T03:20:29Z");
  for (const char* bad : {"", "2021-03-07", "2021-03-07T03:20:29", "2021-03-07T03:20:29+01:00", "2021-13-07T03:20:29Z",
                          "2021-03-07T03:20:29.Z", "yesterday", "2021-03-07T03:20:29Zjunk"})
    EXPECT_FALSE(sg::parse_rfc3339(bad)) << bad;
}

TEST(SigstoreTrustRoot, ParsesLogsAndAuthoritiesAndRefusesWhatIsMissing) {
  const std::string key = mg::enforce::oms::base64_encode("spki");
  const std::string id = mg::enforce::oms::base64_encode(std::string(32, 'i'));
  const std::string log = R"({"baseUrl": "https://rekor.modelgate.invalid", "publicKey": {"rawBytes": ")" + key +
                          R"(", "validFor": {"start": "2021-01-12T11:53:27.000Z"}}, "logId": {"keyId": ")" + id + R"("}})";
  const std::string ca = R"({"uri": "https://fulcio.modelgate.invalid", "certChain": {"certificates": [{"rawBytes": "AAEC"}, {"rawBytes": "AwQF"}]},
                             "validFor": {"start": "2021-03-07T03:20:29.000Z", "end": "2022-12-31T23:59:59.999Z"}})";
  const std::string mt = R"("mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1")";
  auto root = sg::parse_trust_root("{" + mt + R"(, "tlogs": [)" + log + R"(], "ctlogs": [)" + log + R"(], "certificateAuthorities": [)" + ca + "]}");
  ASSERT_TRUE(root) << root.error().message;
  ASSERT_EQ(root->tlogs.size(), 1u);
  EXPECT_EQ(root->tlogs[0].key_der, "spki");
  EXPECT_EQ(root->tlogs[0].log_id, std::string(32, 'i'));
  EXPECT_TRUE(root->tlogs[0].valid.contains(1700000000));
  EXPECT_FALSE(root->tlogs[0].valid.contains(1600000000));
  ASSERT_EQ(root->authorities.size(), 1u);
  EXPECT_EQ(root->authorities[0].chain_der.size(), 2u);
  EXPECT_EQ(root->authorities[0].valid.end, 1672531199);
  EXPECT_FALSE(sg::parse_trust_root("{" + mt + R"(, "tlogs": [)" + log + "]}"));                           // no CA
  EXPECT_FALSE(sg::parse_trust_root("{" + mt + R"(, "certificateAuthorities": [)" + ca + "]}"));           // no tlog
  EXPECT_FALSE(sg::parse_trust_root(R"({"mediaType": "x", "tlogs": [)" + log + R"(], "certificateAuthorities": [)" + ca + "]}"));
  EXPECT_FALSE(sg::parse_trust_root("{" + mt + R"(, "tlogs": [{"publicKey": {}}], "certificateAuthorities": [)" + ca + "]}"));
  EXPECT_FALSE(sg::parse_trust_root("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"));
  EXPECT_FALSE(sg::parse_trust_root("not json"));
}

}  // namespace

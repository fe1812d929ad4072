// Hub API answers as data: file listings and revision records, parsed from hostile JSON with
// bounds (exposed for the fuzz target and the tests).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "source/snapshot.hpp"

namespace mg::hub {

struct ListedFile {
  std::string path;
  std::uint64_t size = 0;
  std::string oid;         // git blob id (40 hex) of the file, or of its LFS pointer
  std::string lfs_sha256;  // the content's SHA-256 (64 hex): LFS files on the Hub, every file on ModelScope
};

// One page of GET /api/{type}s/{repo}/tree/{rev}?recursive=true: files are appended to `out`,
// directories skipped; an entry with a name no repository can hold (absolute, "..", control
// characters, not UTF-8), a duplicate, or a size that is not a number is left out and reported in
// `problems`. False when the body is not a JSON array of entries.
bool parse_hf_tree_page(std::string_view body, std::vector<ListedFile>& out, std::vector<Incomplete>& problems,
                        std::size_t max_entries);

// The commit a revision record names (GET /api/{type}s/{repo}/revision/{rev}): its "sha" when it
// is 40 lower-case hex digits, else "".
std::string parse_hf_revision_sha(std::string_view body);

// ModelScope answers are wrapped: {"Code":200,"Data":{...},"Message":"success","Success":true}.
// A wrapper that reports failure sets `hub_message` (its Message, or "Code <n>") and returns false.

// GET /api/v1/models/{id}/repo/files?Revision=&Recursive=True: Data.Files[] of {Path, Type
// ("blob"/"tree"), Size, Sha256}; blobs appended to `out` under the same rules as the Hugging Face
// listing (unsafe names, duplicates, missing sizes and malformed hashes reported in `problems`).
// False when the body is not such an answer.
bool parse_ms_files(std::string_view body, std::vector<ListedFile>& out, std::vector<Incomplete>& problems, std::size_t max_entries,
                    std::string* hub_message = nullptr);

struct MsRevision {
  std::string name;
  std::string commit;  // 40 hex when the answer names one ("CommitId"), else ""
  std::int64_t created_at = 0;
  bool tag = false;
};

// GET /api/v1/models/{id}/revisions: Data.RevisionMap.{Branches,Tags}[] of {Revision, CreatedAt}.
bool parse_ms_revisions(std::string_view body, std::vector<MsRevision>& out, std::string* hub_message = nullptr);

// The Hugging Face model-info record, as CSGHub serves it to pycsghub
// (GET /csg/api/models/{repo}/revision/{rev}?blobs=true): its commit "sha" (40 hex, else "") and
// siblings[] of {rfilename, size, blobId, lfs{sha256,size}} appended to `out`. False when the body
// is not a JSON object with a siblings array.
bool parse_hf_model_info(std::string_view body, std::string& sha, std::vector<ListedFile>& out, std::vector<Incomplete>& problems,
                         std::size_t max_entries);

// A path from a listing that is safe to use as a snapshot path.
bool safe_listing_path(std::string_view path);

// A name as it may be shown: invalid UTF-8 and control characters as \xNN.
std::string printable_name(std::string_view name);

// The URL of `rel="next"` in a Link header, or "".
std::string link_next(std::string_view link_header);

}  // namespace mg::hub

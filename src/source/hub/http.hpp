// HTTP for the hub clients, on libcurl: one connection cache per client (HTTP/2 where the server
// offers it), bounded retries with backoff that honour Retry-After, bodies capped, redirects
// followed here rather than by libcurl so a token never follows a redirect to another host.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace mg::hub {

struct HttpConfig {
  double connect_timeout_s = 15;
  double timeout_s = 300;  // one request, headers to last byte
  double stall_s = 30;     // no byte received for this long: the request has stalled
  int retries = 4;         // after the first attempt, on 429, 5xx and transport errors
  double max_wait_s = 60;  // total sleep across the retries of one request
  int max_redirects = 5;
  std::string user_agent;  // "modelgate/<version>" when empty

  // The defaults, overridden by MODELGATE_HTTP_TIMEOUT, _STALL, _CONNECT_TIMEOUT, _RETRIES,
  // _MAX_WAIT (seconds; tests set them small).
  static HttpConfig from_env();
};

// A credential and the one host (host[:port], lower case) it may be sent to.
struct Token {
  std::string host;
  std::string value;  // sent as "Authorization: Bearer <value>"; never logged or reported
  std::string cookie;  // when set, sent as "Cookie: <cookie>=<value>" instead (ModelScope's session cookie)
};

struct HttpRequest {
  std::string url;
  std::uint64_t range_begin = 0;  // with range_end > range_begin: bytes [begin, end)
  std::uint64_t range_end = 0;
  std::uint64_t max_body = 16ull << 20;  // longer bodies are an error, not a truncation
};

struct HttpResponse {
  long status = 0;
  std::string url;  // after redirects
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::vector<std::string> redirects;  // every Location followed, in order

  std::string header(std::string_view name) const;  // "" when absent
};

struct HttpStats {
  std::uint64_t requests = 0;
  std::uint64_t body_bytes = 0;
  std::uint64_t retries = 0;
};

// "host[:port]" of an http(s) URL in lower case ("" if it is not one); the port only when it is
// not the scheme's default.
std::string url_host(const std::string& url);

class HttpClient {
 public:
  explicit HttpClient(HttpConfig config, std::vector<Token> tokens = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GET with redirects, retries and caps. HTTP error statuses (4xx, and 5xx once retries are
  // spent) come back as responses; an Error means no usable response at all.
  Result<HttpResponse> get(const HttpRequest& request);
  // The same as a PUT with a JSON body (ModelScope's listings); a redirect re-sends the body.
  Result<HttpResponse> put_json(const HttpRequest& request, const std::string& json);

  const HttpStats& stats() const { return stats_; }
  const HttpConfig& config() const { return config_; }

 private:
  struct Impl;
  Result<HttpResponse> attempt(const std::string& url, const HttpRequest& request);
  Result<HttpResponse> with_retries(const std::string& url, const HttpRequest& request);
  const Token* token_for(const std::string& url) const;

  HttpConfig config_;
  std::vector<Token> tokens_;
  std::unique_ptr<Impl> impl_;
  HttpStats stats_;
  const std::string* put_body_ = nullptr;  // set only during put_json()
};

}  // namespace mg::hub

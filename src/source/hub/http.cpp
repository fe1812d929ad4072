#include "source/hub/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <set>
#include <thread>

#include "core/text.hpp"

namespace mg::hub {

namespace {

std::once_flag g_curl_init;

double env_seconds(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  return (end != v && d >= 0 && d < 1e6) ? d : fallback;
}

bool is_redirect(long s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }
bool is_retryable_status(long s) { return s == 429 || s == 500 || s == 502 || s == 503 || s == 504; }

bool is_retryable_code(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

// Seconds from a Retry-After value (delta-seconds or an HTTP date); -1 when absent or unreadable.
double retry_after_seconds(const std::string& v) {
  if (v.empty()) return -1;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return v.size() > 9 ? 1e9 : static_cast<double>(std::strtoul(v.c_str(), nullptr, 10));
  }
  const time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return -1;
  return std::max(0.0, std::difftime(when, std::time(nullptr)));
}

bool is_loopback_host(std::string_view host) {
  const auto colon = host.rfind(':');
  const std::string_view h = (colon != std::string_view::npos && host.find(']') == std::string_view::npos) ? host.substr(0, colon) : host;
  return h == "127.0.0.1" || h == "localhost" || h == "[::1]";
}

struct Sink {
  std::string* body;
  std::uint64_t max;
  const std::vector<std::pair<std::string, std::string>>* headers;
  bool too_long = false;
  std::string encoding;  // an encoding nobody asked for: the body is refused unread (a bomb stays a bomb)
};

std::size_t write_cb(char* data, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  const std::size_t len = size * n;
  if (s->body->empty()) {
    for (const auto& [k, v] : *s->headers) {
      if (k == "content-encoding" && to_lower(v) != "identity") {
        s->encoding = to_lower(v).substr(0, 40);
        return 0;
      }
    }
  }
  if (s->body->size() + len > s->max) {
    s->too_long = true;
    return 0;  // aborts the transfer
  }
  s->body->append(data, len);
  return len;
}

std::size_t header_cb(char* data, std::size_t size, std::size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  const std::size_t len = size * n;
  const std::string_view line(data, len);
  if (starts_with(line, "HTTP/")) {
    headers->clear();  // a new response (after 100 Continue): only the last one counts
    return len;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos && headers->size() < 256) {
    headers->emplace_back(to_lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return len;
}

struct CurlUrl {
  CURLU* u = curl_url();
  ~CurlUrl() { curl_url_cleanup(u); }
  std::string get(CURLUPart part, unsigned flags = 0) const {
    char* s = nullptr;
    if (curl_url_get(u, part, &s, flags) != CURLUE_OK || s == nullptr) return {};
    std::string out(s);
    curl_free(s);
    return out;
  }
};

}  // namespace

HttpConfig HttpConfig::from_env() {
  HttpConfig c;
  c.timeout_s = env_seconds("MODELGATE_HTTP_TIMEOUT", c.timeout_s);
  c.stall_s = env_seconds("MODELGATE_HTTP_STALL", c.stall_s);
  c.connect_timeout_s = env_seconds("MODELGATE_HTTP_CONNECT_TIMEOUT", c.connect_timeout_s);
  c.retries = static_cast<int>(std::min(20.0, env_seconds("MODELGATE_HTTP_RETRIES", c.retries)));
  c.max_wait_s = env_seconds("MODELGATE_HTTP_MAX_WAIT", c.max_wait_s);
  return c;
}

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::string url_host(const std::string& url) {
  CurlUrl u;
  if (curl_url_set(u.u, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return {};
  const std::string scheme = to_lower(u.get(CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https") return {};
  std::string host = to_lower(u.get(CURLUPART_HOST));
  const std::string port = u.get(CURLUPART_PORT);  // empty when the URL names none
  if (!port.empty() && !((scheme == "https" && port == "443") || (scheme == "http" && port == "80"))) host += ":" + port;
  return host;
}

struct HttpClient::Impl {
  CURL* easy = nullptr;
  ~Impl() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

HttpClient::HttpClient(HttpConfig config, std::vector<Token> tokens)
    : config_(std::move(config)), tokens_(std::move(tokens)), impl_(std::make_unique<Impl>()) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (config_.user_agent.empty()) config_.user_agent = std::string("modelgate/") + MODELGATE_VERSION;
  for (auto& t : tokens_) t.host = to_lower(t.host);
}

HttpClient::~HttpClient() = default;

const Token* HttpClient::token_for(const std::string& url) const {
  const std::string host = url_host(url);
  if (host.empty()) return nullptr;
  // Never in clear text, except to this machine (the tests' server).
  if (!starts_with(to_lower(url), "https://") && !is_loopback_host(host)) return nullptr;
  for (const auto& t : tokens_) {
    // A value with a line break would add headers of its own: never sent.
    if (!t.value.empty() && t.host == host && t.value.find_first_of("\r\n") == std::string::npos) return &t;
  }
  return nullptr;
}

Result<HttpResponse> HttpClient::attempt(const std::string& url, const HttpRequest& req) {
  if (impl_->easy == nullptr) impl_->easy = curl_easy_init();
  CURL* h = impl_->easy;
  if (h == nullptr) return make_error("libcurl could not start");
  curl_easy_reset(h);  // keeps the connection cache: later requests to the same host reuse it
  HttpResponse resp;
  Sink sink{&resp.body, req.max_body, &resp.headers, false, {}};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* hdrs = nullptr;
  std::string auth;
  if (const Token* t = token_for(url)) {
    auth = t->cookie.empty() ? "Authorization: Bearer " + t->value : "Cookie: " + t->cookie + "=" + t->value;
    hdrs = curl_slist_append(hdrs, auth.c_str());
  }
  hdrs = curl_slist_append(hdrs, "Accept-Encoding: identity");
  if (put_body_ != nullptr) hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
  std::string range;
  if (req.range_end > req.range_begin) range = std::to_string(req.range_begin) + "-" + std::to_string(req.range_end - 1);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  curl_easy_setopt(h, CURLOPT_USERAGENT, config_.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.connect_timeout_s * 1000));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_s * 1000));
  // Below one byte per second for stall_s seconds is a stall (a slow-loris server).
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(std::ceil(config_.stall_s))));
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_body));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp.headers);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  if (!range.empty()) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
  if (put_body_ != nullptr) {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, put_body_->c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(put_body_->size()));
  }
  const CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(hdrs);
  ++stats_.requests;
  stats_.body_bytes += resp.body.size();
  if (sink.encoding.empty()) {
    if (const std::string e = to_lower(resp.header("content-encoding")); !e.empty() && e != "identity") sink.encoding = e.substr(0, 40);
  }
  if (!sink.encoding.empty()) return make_error("server sent a " + sanitize_utf8(sink.encoding) + "-encoded body it was not asked for");
  if (sink.too_long || rc == CURLE_FILESIZE_EXCEEDED) {
    return make_error("response body longer than the " + std::to_string(req.max_body) + "-byte limit");
  }
  if (rc != CURLE_OK) {
    Error e = make_error(std::string(errbuf[0] ? errbuf : curl_easy_strerror(rc)));
    e.message = (is_retryable_code(rc) ? "retryable: " : "") + e.message;
    return e;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  resp.url = url;
  if (const std::string cl = resp.header("content-length"); !cl.empty() && !is_redirect(resp.status)) {
    if (cl.find_first_not_of("0123456789") != std::string::npos || cl.size() > 19 ||
        std::strtoull(cl.c_str(), nullptr, 10) != resp.body.size()) {
      return make_error("retryable: body of " + std::to_string(resp.body.size()) + " bytes does not match Content-Length " + sanitize_utf8(cl));
    }
  }
  return resp;
}

Result<HttpResponse> HttpClient::with_retries(const std::string& url, const HttpRequest& req) {
  double waited = 0;
  for (int n = 0;; ++n) {
    auto r = attempt(url, req);
    const bool transport = !r && starts_with(r.error().message, "retryable: ");
    const bool status = r && is_retryable_status(r->status);
    if (!transport && !status) {
      if (!r) return make_error(r.error().message);
      return r;
    }
    const std::string what = transport ? r.error().message.substr(11) : "HTTP " + std::to_string(r->status) + (r->status == 429 ? " (rate limited)" : "");
    if (n >= config_.retries) return make_error(what + ", " + std::to_string(n + 1) + " attempts");
    double wait = std::min(8.0, 0.25 * std::pow(2.0, n));
    if (status) {
      const double ra = retry_after_seconds(r->header("retry-after"));
      if (ra >= 0) wait = ra;
    }
    if (waited + wait > config_.max_wait_s) {
      return make_error(what + "; the server asks to wait " + std::to_string(static_cast<long>(wait)) +
                        " s, past the " + std::to_string(static_cast<long>(config_.max_wait_s)) + " s retry budget");
    }
    ++stats_.retries;
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    waited += wait;
  }
}

Result<HttpResponse> HttpClient::put_json(const HttpRequest& req, const std::string& json) {
  put_body_ = &json;
  auto r = get(req);
  put_body_ = nullptr;
  return r;
}

Result<HttpResponse> HttpClient::get(const HttpRequest& req) {
  std::string url = req.url;
  std::vector<std::string> hops;
  std::set<std::string> seen{url};
  for (int hop = 0;; ++hop) {
    auto r = with_retries(url, req);
    if (!r) return r;
    if (!is_redirect(r->status)) {
      r->redirects = std::move(hops);
      return r;
    }
    const std::string location = r->header("location");
    if (location.empty()) return make_error("HTTP " + std::to_string(r->status) + " redirect without a Location");
    if (hop >= config_.max_redirects) return make_error("more than " + std::to_string(config_.max_redirects) + " redirects");
    CurlUrl u;
    if (curl_url_set(u.u, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
        curl_url_set(u.u, CURLUPART_URL, location.c_str(), 0) != CURLUE_OK) {
      return make_error("redirect to an unreadable location '" + sanitize_utf8(location.substr(0, 200)) + "'");
    }
    std::string next = u.get(CURLUPART_URL);
    const std::string scheme = to_lower(u.get(CURLUPART_SCHEME));
    if (scheme != "https" && scheme != "http") return make_error("redirect to a non-HTTP URL");
    if (starts_with(to_lower(url), "https://") && scheme == "http") return make_error("redirect from https to plain http refused");
    if (!seen.insert(next).second) return make_error("redirect loop at " + sanitize_utf8(next.substr(0, 200)));
    hops.push_back(next);
    url = std::move(next);
  }
}

}  // namespace mg::hub

// HTML report: one self-contained page per scan (inline CSS, JS and SVG; nothing fetched at view
// time). Per target the verdict, the load plan's triggers, every finding with its load path drawn
// as a small graph, and the documentation of every rule that occurs. Everything that comes from
// the scanned repository (file names, snippets, config values, messages quoting them) is untrusted
// and goes through html_escape; the Content-Security-Policy allows only this file's own style and
// script (by hash), so even an escaping mistake could not run injected script.
#include <fmt/format.h>

#include <map>
#include <set>

#include "core/hash.hpp"
#include "core/text.hpp"
#include "report/report.hpp"

namespace mg {

namespace {

constexpr std::string_view kStyle = R"css(
[hidden]{display:none!important}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em auto;max-width:1100px;color:#1d1d1f;padding:0 1em}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd;word-break:break-all}
h3{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.4em 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top;word-break:break-word}th{background:#f4f4f4}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
pre{background:#f6f8fa;border:1px solid #e3e6ea;padding:6px 8px;white-space:pre-wrap;word-break:break-all;margin:.4em 0}
.meta{color:#555}.muted{color:#777}
.sev{display:inline-block;min-width:4.6em;text-align:center;border-radius:3px;padding:0 5px;font-weight:600;font-size:12px;color:#fff}
.sev-critical{background:#7b1fa2}.sev-high{background:#c62828}.sev-medium{background:#b26a00}.sev-low{background:#0277bd}
.sev-clean{background:#2e7d32}.sev-partial{background:#6d4c41}
.finding{border:1px solid #ddd;border-left:5px solid #999;border-radius:4px;padding:.5em .8em;margin:.7em 0}
.finding.s-critical{border-left-color:#7b1fa2}.finding.s-high{border-left-color:#c62828}
.finding.s-medium{border-left-color:#b26a00}.finding.s-low{border-left-color:#0277bd}
.finding h4{margin:0;font-size:14px;word-break:break-word}
.finding .where{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
.rule{border-top:1px solid #eee;padding-top:.4em}
#filters{background:#f7f7f7;border:1px solid #e3e3e3;padding:.4em .8em;border-radius:4px;position:sticky;top:0}
#filters fieldset{display:inline-block;border:0;margin:0 1.5em 0 0;padding:0}
#filters legend{float:left;margin-right:.5em;font-weight:600}
#filters label{margin-right:.7em;white-space:nowrap}
svg.flow{display:block;margin:.3em 0;max-width:100%;height:auto}
svg.flow rect{fill:#f4f7fb;stroke:#8aa4c8}svg.flow rect.last{fill:#fdf1f1;stroke:#c88a8a}
svg.flow text{font:12px ui-monospace,"DejaVu Sans Mono",monospace;fill:#222}
svg.flow text.note{font:11px system-ui,sans-serif;fill:#555}
svg.flow path{stroke:#666;fill:none}svg.flow polygon{fill:#666}
)css";

// Filters: hidden without JS (the page then shows every finding); with JS, unticking a severity
// or an engine hides its findings.
constexpr std::string_view kScript = R"js(
(function () {
  var form = document.getElementById("filters");
  if (!form) return;
  form.hidden = false;
  var findings = document.querySelectorAll(".finding");
  function apply() {
    var off = {};
    form.querySelectorAll("input").forEach(function (i) { if (!i.checked) off[i.name + "\n" + i.value] = true; });
    var shown = 0;
    findings.forEach(function (f) {
      var hide = off["severity\n" + f.dataset.severity] || off["engine\n" + f.dataset.engine];
      f.hidden = !!hide;
      if (!hide) shown++;
    });
    document.getElementById("shown").textContent = shown + " of " + findings.length + " findings shown";
  }
  form.addEventListener("change", apply);
  apply();
})();
)js";

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// A CSP source for an inline element's exact text: 'sha256-<base64 of the digest>'.
std::string csp_hash(std::string_view text) {
  const std::string hex = sha256_hex(text);
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return "'sha256-" + base64(raw) + "'";
}

std::string esc(std::string_view s) { return html_escape(s); }

// Cuts long labels for the graph (the full text is in the node's tooltip and in the table).
std::string clip(std::string_view s, std::size_t max_chars) {
  const std::string clean = sanitize_utf8(s);
  if (clean.size() <= max_chars) return clean;
  std::size_t cut = max_chars - 1;
  while (cut > 0 && (static_cast<unsigned char>(clean[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  return clean.substr(0, cut) + "\u2026";
}

struct FlowNode {
  std::string label;  // file:line or file:symbol
  std::string note;   // what happens there ("" = none)
};

// A vertical chain of boxes joined by arrows, as inline SVG.
std::string svg_flow(std::string_view title, const std::vector<FlowNode>& nodes) {
  constexpr int kWidth = 760, kBoxH = 22, kNoteH = 16, kGap = 18, kPad = 8;
  constexpr std::size_t kChars = 100;  // ~7.2 px per monospace character at 12px
  int height = 2;
  for (const auto& n : nodes) height += kBoxH + (n.note.empty() ? 0 : kNoteH) + kGap;
  height -= kGap;
  std::string svg = fmt::format(R"(<svg class="flow" xmlns="http://www.w3.org/2000/svg" role="img" width="{}" height="{}" viewBox="0 0 {} {}">)",
                                kWidth, height, kWidth, height);
  svg += "<title>" + esc(title) + "</title>";
  int y = 1;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto& n = nodes[i];
    const int h = kBoxH + (n.note.empty() ? 0 : kNoteH);
    svg += fmt::format(R"(<g><title>{}</title><rect{} x="1" y="{}" width="{}" height="{}" rx="4"/>)",
                       esc(n.label + (n.note.empty() ? "" : " \u2014 " + n.note)), i + 1 == nodes.size() ? " class=\"last\"" : "", y,
                       kWidth - 2, h);
    svg += fmt::format(R"(<text x="{}" y="{}">{}</text>)", kPad, y + 15, esc(clip(n.label, kChars)));
    if (!n.note.empty()) svg += fmt::format(R"(<text class="note" x="{}" y="{}">{}</text>)", kPad + 14, y + 31, esc(clip(n.note, kChars + 10)));
    svg += "</g>";
    y += h;
    if (i + 1 < nodes.size()) {
      const int x = 28;
      svg += fmt::format(R"(<path d="M{} {}V{}"/><polygon points="{},{} {},{} {},{}"/>)", x, y, y + kGap - 5, x - 4, y + kGap - 6, x + 4,
                         y + kGap - 6, x, y + kGap);
      y += kGap;
    }
  }
  return svg + "</svg>";
}

std::string location(const Finding& f) {
  if (f.line == 0) return f.file;
  return f.column ? fmt::format("{}:{}:{}", f.file, f.line, f.column) : fmt::format("{}:{}", f.file, f.line);
}

std::string_view reach_words(Reach r) {
  switch (r) {
    case Reach::yes: return "runs at load";
    case Reach::no: return "not run at load";
    case Reach::unknown: return "reachability unknown";
  }
  return "reachability unknown";
}

std::string cwe_links(const std::vector<int>& cwe) {
  std::string out;
  for (int c : cwe) out += fmt::format("{}CWE-{}", out.empty() ? "" : ", ", c);
  return out;
}

void render_finding(std::string& out, const Finding& f) {
  const std::string sev(to_string(f.severity));
  out += fmt::format(R"(<article class="finding s-{0}" data-severity="{0}" data-engine="{1}">)", esc(sev), esc(f.engine));
  out += fmt::format(R"(<h4><span class="sev sev-{0}">{0}</span> <a href="#rule-{1}">{1}</a> {2}</h4>)", esc(sev), esc(f.rule_id),
                     esc(f.title));
  out += fmt::format(R"(<div class="meta"><span class="where">{}</span> &middot; {} &middot; engine {} &middot; confidence {}{}</div>)",
                     esc(location(f)), esc(reach_words(f.load_reachable)), esc(f.engine), esc(to_string(f.confidence)),
                     f.cwe.empty() ? "" : " &middot; " + esc(cwe_links(f.cwe)));
  out += "<p>" + esc(f.message) + "</p>";
  if (!f.snippet.empty()) out += "<pre><code>" + esc(f.snippet) + "</code></pre>";
  if (!f.reach_path.empty()) {
    std::vector<FlowNode> nodes;
    for (const auto& step : f.reach_path) nodes.push_back({step, ""});
    const std::string here = location(f);
    if (nodes.back().label != here) nodes.push_back({here, f.rule_id + ": " + f.title});
    out += "<div class=\"path\"><strong>Load path</strong> (from the loader's entry to the finding)" +
           svg_flow("Load path of " + f.rule_id + " at " + here, nodes) + "</div>";
  }
  if (!f.evidence.empty()) {
    std::vector<FlowNode> nodes;
    for (const auto& e : f.evidence) nodes.push_back({e.line ? fmt::format("{}:{}", e.file, e.line) : e.file, e.note});
    out += "<div class=\"evidence\"><strong>Evidence</strong> (source &rarr; calls &rarr; sink)" +
           svg_flow("Evidence of " + f.rule_id + " at " + location(f), nodes) + "</div>";
  }
  if (!f.equivalents.bandit.empty() || !f.equivalents.semgrep.empty() || !f.equivalents.codeql.empty()) {
    std::string eq;
    if (!f.equivalents.bandit.empty()) eq += "bandit " + f.equivalents.bandit + " ";
    if (!f.equivalents.semgrep.empty()) eq += "semgrep " + f.equivalents.semgrep + " ";
    if (!f.equivalents.codeql.empty()) eq += "codeql " + f.equivalents.codeql;
    out += "<div class=\"muted\">equivalents: " + esc(eq) + "</div>";
  }
  out += "<div class=\"muted\">fingerprint <code>" + esc(f.fingerprint) + "</code></div>";
  out += "</article>\n";
}

void render_target(std::string& out, const TargetReport& t, std::size_t index, const RenderOptions& options) {
  const std::string verdict(verdict_name(t));
  out += fmt::format(R"(<section class="target" id="target-{}"><h2>{}</h2>)", index + 1, esc(t.target));
  if (!t.followed_from.empty()) {
    out += "<p class=\"meta\">followed from " + esc(t.followed_from) + " (" + esc(t.followed_reference.file) + ": " +
           esc(t.followed_reference.key) + " = " + esc(t.followed_reference.value) + ")</p>";
  }
  std::string source = t.kind;
  if (!t.repo_id.empty()) source += " " + t.repo_id;
  if (!t.revision.empty()) source += "@" + t.revision;
  out += fmt::format(R"(<p>verdict <span class="sev sev-{0}">{0}</span> &middot; status {1} &middot; platform {2} &middot; source {3}</p>)",
                     esc(verdict), t.partial() ? "<span class=\"sev sev-partial\">partial</span>" : "complete", esc(t.plan.platform),
                     esc(source));
  if (t.partial()) out += "<p><strong>Partial analysis:</strong> some files could not be analysed (listed below); this is not a clean result.</p>";

  out += "<h3>Load plan</h3>";
  if (t.plan.triggers.empty()) {
    out += "<p>Custom code: not required (no loader imports code from this repository).</p>";
  } else {
    out += fmt::format("<p>Custom code: <strong>required</strong> ({} trigger{}).</p>", t.plan.triggers.size(),
                       t.plan.triggers.size() == 1 ? "" : "s");
    out += "<table class=\"triggers\"><thead><tr><th>file</th><th>key</th><th>runs</th><th>loader</th><th>gate</th><th>from repository</th></tr></thead><tbody>";
    for (const auto& tr : t.plan.triggers) {
      const std::string target = tr.module + (tr.symbol.empty() ? "" : ":" + tr.symbol);
      out += "<tr><td>" + esc(tr.file) + "</td><td>" + esc(tr.key) + "</td><td><code>" + esc(target) + "</code></td><td>" + esc(tr.loader) +
             "</td><td>" + esc(tr.gate) + "</td><td>" + esc(tr.remote_repo.empty() ? "this one" : tr.remote_repo) + "</td></tr>";
    }
    out += "</tbody></table>";
  }
  if (!t.plan.module_files.empty()) {
    out += "<p>Runs at load: ";
    for (std::size_t i = 0; i < t.plan.module_files.size(); ++i) out += (i ? ", " : "") + ("<code>" + esc(t.plan.module_files[i]) + "</code>");
    out += "</p>";
  }
  if (!t.plan.required_packages.empty()) {
    std::string pkgs;
    for (const auto& p : t.plan.required_packages) pkgs += (pkgs.empty() ? "" : ", ") + p;
    out += "<p>Imports packages: " + esc(pkgs) + "</p>";
  }
  if (!t.plan.deserialization.empty()) {
    out += "<table class=\"deserialization\"><thead><tr><th>deserializes</th><th>format</th><th>loader</th><th>read at load</th></tr></thead><tbody>";
    for (const auto& d : t.plan.deserialization) {
      out += "<tr><td>" + esc(d.file) + "</td><td>" + esc(d.format) + "</td><td>" + esc(d.loader) + "</td><td>" +
             (d.read_at_load ? "yes" : "no (training state or test data)") + "</td></tr>";
    }
    out += "</tbody></table>";
  }

  const auto findings = visible_findings(t, options);
  out += fmt::format("<h3>Findings ({})</h3>", findings.size());
  if (findings.empty()) out += "<p>No findings.</p>";
  for (const Finding* f : findings) render_finding(out, *f);

  if (!t.incomplete.empty()) {
    out += "<h3>Not analysed</h3><ul>";
    for (const auto& i : t.incomplete) out += "<li>" + esc(i.file.empty() ? t.target : i.file) + ": " + esc(i.reason) + "</li>";
    out += "</ul>";
  }
  out += "</section>\n";
}

void render_rule(std::string& out, const std::string& id) {
  const RuleInfo* r = RuleRegistry::builtin().find(id);
  out += "<section class=\"rule\" id=\"rule-" + esc(id) + "\">";
  if (r == nullptr) {
    out += "<h3>" + esc(id) + "</h3><p>Not a built-in rule (a user-supplied YARA rule): no documentation.</p></section>\n";
    return;
  }
  std::string eq;
  if (!r->equivalents.bandit.empty()) eq += " bandit " + r->equivalents.bandit;
  if (!r->equivalents.semgrep.empty()) eq += " semgrep " + r->equivalents.semgrep;
  if (!r->equivalents.codeql.empty()) eq += " codeql " + r->equivalents.codeql;
  out += "<h3>" + esc(r->id + " " + r->slug + ": " + r->summary) + "</h3>";
  out += "<p class=\"meta\">engine " + esc(r->engine) + ", severity " + esc(to_string(r->severity)) + ", confidence " +
         esc(to_string(r->confidence)) + (r->cwe.empty() ? "" : ", " + esc(cwe_links(r->cwe))) +
         (eq.empty() ? "" : ", equivalents:" + esc(eq)) + "</p>";
  // The same text `modelgate explain` prints (Markdown, shown as written).
  out += "<pre class=\"doc\">" + esc(r->doc) + "</pre></section>\n";
}

}  // namespace

std::string render_html(const ScanReport& report, const RenderOptions& options) {
  std::map<Severity, std::size_t, std::greater<>> by_severity;
  std::set<std::string> engines, rule_ids;
  std::size_t total = 0, partial = 0;
  for (const auto& t : report.targets) {
    partial += t.partial() ? 1 : 0;
    for (const Finding* f : visible_findings(t, options)) {
      ++by_severity[f->severity];
      engines.insert(f->engine);
      rule_ids.insert(f->rule_id);
      ++total;
    }
  }
  std::string out = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src )" +
                    csp_hash(kStyle) + "; script-src " + csp_hash(kScript) +
                    R"(; img-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>modelgate scan report</title>
<style>)" + std::string(kStyle) +
                    R"(</style></head><body>
<h1>modelgate scan report</h1>
)";
  out += fmt::format("<p class=\"meta\">{} {} &middot; {} target{}, {} finding{}", kToolName, kToolVersion, report.targets.size(),
                     report.targets.size() == 1 ? "" : "s", total, total == 1 ? "" : "s");
  for (Severity s : {Severity::critical, Severity::high, Severity::medium, Severity::low}) {
    out += fmt::format(" &middot; {} {}", to_string(s), by_severity[s]);
  }
  out += fmt::format(" &middot; {} partial</p>\n", partial);

  out += "<table class=\"summary\"><thead><tr><th>target</th><th>verdict</th><th>status</th><th>custom code</th><th>findings</th></tr></thead><tbody>";
  for (std::size_t i = 0; i < report.targets.size(); ++i) {
    const auto& t = report.targets[i];
    const std::string verdict(verdict_name(t));
    out += fmt::format(R"(<tr><td><a href="#target-{0}">{1}</a></td><td><span class="sev sev-{2}">{2}</span></td><td>{3}</td><td>{4}</td><td>{5}</td></tr>)",
                       i + 1, esc(t.target), esc(verdict), t.partial() ? "partial" : "complete",
                       t.plan.triggers.empty() ? "not required" : "required", visible_findings(t, options).size());
  }
  out += "</tbody></table>\n";

  if (total > 0) {
    out += "<form id=\"filters\" hidden><fieldset><legend>Severity</legend>";
    for (Severity s : {Severity::critical, Severity::high, Severity::medium, Severity::low}) {
      out += fmt::format(R"(<label><input type="checkbox" name="severity" value="{0}" checked> {0}</label>)", to_string(s));
    }
    out += "</fieldset><fieldset><legend>Engine</legend>";
    for (const auto& e : engines) out += fmt::format(R"(<label><input type="checkbox" name="engine" value="{0}" checked> {0}</label>)", esc(e));
    out += "</fieldset><span id=\"shown\"></span></form>\n";
  }

  for (std::size_t i = 0; i < report.targets.size(); ++i) render_target(out, report.targets[i], i, options);

  if (!rule_ids.empty()) {
    out += "<h2 id=\"rules\">Rules in this report</h2>\n";
    for (const auto& id : rule_ids) render_rule(out, id);
  }
  out += "<script>" + std::string(kScript) + "</script>\n</body></html>\n";
  return out;
}

}  // namespace mg

#include "accounts/http/multipart.hpp"

#include "accounts/text_rules.hpp"

namespace parley::accounts {

namespace {

bool token_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
}

// Parses `; name=value` pairs (value a token or a quoted string) from `s`.
bool parse_params(std::string_view s, std::map<std::string, std::string>& out) {
  std::size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  };
  for (;;) {
    skip_ws();
    if (i == s.size()) return true;
    if (s[i] != ';') return false;
    ++i;
    skip_ws();
    if (i == s.size()) return true;  // a trailing ';' is tolerated
    const std::size_t name_start = i;
    while (i < s.size() && token_char(s[i]) && s[i] != '=') ++i;
    if (i == name_start || i == s.size() || s[i] != '=') return false;
    const std::string name = ascii_lowercase(s.substr(name_start, i - name_start));
    ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      for (;; ++i) {
        if (i >= s.size()) return false;
        if (s[i] == '"') break;
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i]);
      }
      ++i;
    } else {
      const std::size_t v = i;
      while (i < s.size() && token_char(s[i])) ++i;
      value = std::string(s.substr(v, i - v));
    }
    out.emplace(name, std::move(value));
  }
}

}  // namespace

std::optional<MediaType> parse_media_type(std::string_view value) {
  value = trim_ascii_space(value);
  const auto semi = value.find(';');
  const std::string_view type = trim_ascii_space(value.substr(0, semi));
  const auto slash = type.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size()) return std::nullopt;
  for (char c : type)
    if (c != '/' && !token_char(c)) return std::nullopt;
  MediaType mt;
  mt.type = ascii_lowercase(type);
  if (semi != std::string_view::npos && !parse_params(value.substr(semi), mt.params)) return std::nullopt;
  return mt;
}

Multipart parse_multipart(std::string_view body, std::string_view boundary) {
  Multipart out;
  auto fail = [&out](std::string e) {
    out.fields.clear();
    out.error = std::move(e);
    return out;
  };
  if (boundary.empty() || boundary.size() > 70) return fail("bad boundary");
  const std::string delimiter = "--" + std::string(boundary);
  const std::string next_delimiter = "\r\n" + delimiter;

  // The first delimiter opens the body or follows a preamble line.
  std::size_t pos;
  if (body.substr(0, delimiter.size()) == delimiter) {
    pos = delimiter.size();
  } else {
    const auto at = body.find(next_delimiter);
    if (at == std::string_view::npos) return fail("no boundary found");
    pos = at + next_delimiter.size();
  }
  for (;;) {
    if (body.substr(pos, 2) == "--") return out;  // closing delimiter; an epilogue is ignored
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return fail("malformed boundary line");
    pos += 2;
    if (out.fields.size() >= kMaxMultipartParts) return fail("too many parts");

    const auto headers_end = body.find("\r\n\r\n", pos);
    const bool no_headers = body.substr(pos, 2) == "\r\n";
    if (!no_headers && headers_end == std::string_view::npos) return fail("unterminated part headers");
    std::string_view headers = no_headers ? std::string_view{} : body.substr(pos, headers_end - pos);
    pos = no_headers ? pos + 2 : headers_end + 4;

    MultipartField field;
    bool has_disposition = false;
    while (!headers.empty()) {
      const auto eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return fail("malformed part header");
      if (!ascii_iequals(trim_ascii_space(line.substr(0, colon)), "content-disposition")) continue;
      const std::string_view value = trim_ascii_space(line.substr(colon + 1));
      const auto semi = value.find(';');
      if (!ascii_iequals(trim_ascii_space(value.substr(0, semi)), "form-data")) return fail("part is not form-data");
      std::map<std::string, std::string> params;
      if (semi == std::string_view::npos || !parse_params(value.substr(semi), params))
        return fail("malformed Content-Disposition");
      const auto name = params.find("name");
      if (name == params.end()) return fail("part without a name");
      field.name = name->second;
      if (const auto fn = params.find("filename"); fn != params.end()) field.filename = fn->second;
      has_disposition = true;
    }
    if (!has_disposition) return fail("part without Content-Disposition");

    const auto end = body.find(next_delimiter, pos);
    if (end == std::string_view::npos) return fail("unterminated part");
    field.value = std::string(body.substr(pos, end - pos));
    out.fields.push_back(std::move(field));
    pos = end + next_delimiter.size();
  }
}

}  // namespace parley::accounts

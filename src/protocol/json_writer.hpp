#pragma once
// Appends JSON text to a std::string without building a DOM: the server encodes every outgoing
// frame with it, so relays and broadcasts cost one allocation each.
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::protocol {

// Appends `s` as a quoted JSON string. Input is valid UTF-8 (it came through the JSON parser
// or from our own code); only quotes, backslashes and control characters need escaping.
void append_json_string(std::string& out, std::string_view s);

class JsonWriter {
public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { comma(); out_ += '{'; first_ = true; return *this; }
  JsonWriter& end_object() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& begin_array() { comma(); out_ += '['; first_ = true; return *this; }
  JsonWriter& end_array() { out_ += ']'; first_ = false; return *this; }
  JsonWriter& key(std::string_view k) {
    comma();
    append_json_string(out_, k);
    out_ += ':';
    first_ = true;  // the value that follows takes no comma
    return *this;
  }
  JsonWriter& value(std::string_view s) { comma(); append_json_string(out_, s); return *this; }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::int64_t n) { comma(); out_ += std::to_string(n); return *this; }
  JsonWriter& value(bool b) { comma(); out_ += b ? "true" : "false"; return *this; }
  JsonWriter& null() { comma(); out_ += "null"; return *this; }

  template <class T>
  JsonWriter& member(std::string_view k, const T& v) { key(k); return value(v); }

private:
  void comma() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

}  // namespace parley::protocol

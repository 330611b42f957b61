#pragma once
// CLI11 check for duration flags (500ms, 30s, 5m, 12h, 90d), shared by parley-server and parley-bots.
#include <CLI/CLI.hpp>
#include <string>

#include "app/duration.hpp"

namespace parley::app {

struct DurationValidator : CLI::Validator {
  DurationValidator() {
    name_ = "DURATION";
    func_ = [](const std::string& s) {
      const auto d = app::parse_duration(s);
      return d && d->count() > 0 ? std::string() : "not a positive duration (examples: 500ms, 30s, 5m, 90d): " + s;
    };
  }
};

}  // namespace parley::app

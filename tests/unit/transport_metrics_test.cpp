// The text rendering of /metrics (Prometheus exposition format 0.0.4) and the counter types.
#include <gtest/gtest.h>

#include "signalling/metrics.hpp"
#include "transport/metrics_route.hpp"
#include "transport/transport_metrics.hpp"

using namespace parley;
using namespace parley::transport;

TEST(MetricsText, LabelValuesEscapeBackslashQuoteAndNewline) {
  EXPECT_EQ(escape_label_value("plain"), "plain");
  EXPECT_EQ(escape_label_value(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(escape_label_value(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(escape_label_value("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(escape_label_value("\\\"\n"), R"(\\\"\n)");
  EXPECT_EQ(escape_label_value("ünïcode"), "ünïcode");  // UTF-8 passes as it is
  EXPECT_EQ(escape_label_value(""), "");
}

TEST(MetricsText, HelpEscapesBackslashAndNewlineButNotQuotes) {
  EXPECT_EQ(escape_help(R"(a "quoted" \ text)"), R"(a "quoted" \\ text)");
  EXPECT_EQ(escape_help("one\ntwo"), R"(one\ntwo)");
}

TEST(MetricsText, WriterFormatsFamiliesAndSamples) {
  std::string out;
  PrometheusWriter w(out);
  w.family("x_total", "counter", "Things\ncounted.");
  w.sample("x_total", {}, std::uint64_t{3});
  w.sample("x_total", {{"code", "a\"b"}, {"kind", "c"}}, std::uint64_t{18446744073709551615ull});
  w.sample("y", {}, std::int64_t{-2});
  w.sample("z", {{"le", "+Inf"}}, 0.25);
  EXPECT_EQ(out,
            "# HELP x_total Things\\ncounted.\n"
            "# TYPE x_total counter\n"
            "x_total 3\n"
            "x_total{code=\"a\\\"b\",kind=\"c\"} 18446744073709551615\n"
            "y -2\n"
            "z{le=\"+Inf\"} 0.25\n");
}

TEST(MetricsText, HistogramBucketsAreUpperBoundsInclusive) {
  signalling::Histogram h;
  h.observe_ns(1);
  h.observe_ns(5'000);   // on the first bound: in it
  h.observe_ns(5'001);   // just over: in the second
  h.observe_ns(1'000'000'000);  // over every bound
  EXPECT_EQ(h.bucket(0), 2u);
  EXPECT_EQ(h.bucket(1), 1u);
  EXPECT_EQ(h.bucket(signalling::Histogram::kBoundsNs.size()), 1u);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_EQ(h.sum_ns(), 1u + 5'000u + 5'001u + 1'000'000'000u);
}

TEST(MetricsText, LabelMappings) {
  EXPECT_EQ(signalling::error_code_of("unknown_peer"), signalling::ErrorCode::unknown_peer);
  EXPECT_EQ(signalling::error_code_of("bad_json"), signalling::ErrorCode::bad_json);
  EXPECT_EQ(signalling::error_code_of("something_new"), signalling::ErrorCode::other);
  EXPECT_EQ(close_label(1008), CloseLabel::c1008);
  EXPECT_EQ(close_label(4000), CloseLabel::other);
  EXPECT_EQ(login_result(307), LoginResult::ok);
  EXPECT_EQ(login_result(400), LoginResult::refused);
  EXPECT_EQ(login_result(502), LoginResult::error);
  signalling::Identity bot;
  bot.authentication = signalling::Authentication::jwt;
  EXPECT_EQ(signalling::connection_kind(bot), signalling::ConnectionKind::jwt);
  EXPECT_EQ(signalling::connection_kind(signalling::Identity{}), signalling::ConnectionKind::anonymous);
}

TEST(MetricsText, ProcessStatsComeFromProc) {
  const auto p = read_process_stats();
  ASSERT_TRUE(p.ok);
  EXPECT_GT(p.resident_bytes, 1024.0 * 1024);
  EXPECT_GT(p.open_fds, 2.0);
  EXPECT_GE(p.max_fds, p.open_fds);
  EXPECT_GT(p.start_time_seconds, 1.6e9);
  EXPECT_GE(p.cpu_seconds, 0.0);
}

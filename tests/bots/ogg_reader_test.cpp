// The Ogg packet reader on files written here: it returns exactly the Opus packets that were
// written, whatever the page layout (packets spanning pages, several per page, a header over
// several pages), loops to the first audio packet, and ends cleanly without looping.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "bots/ogg_packet_reader.hpp"
#include "ogg_writer.hpp"

namespace parley::bots::test {
namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/parley-oggr-XXXXXX";
  return mkdtemp(tmpl);
}

void expect_same_packets(const OggSpec& spec) {
  auto dir = temp_dir();
  auto written = write_ogg(dir + "/t.opus", spec);
  ASSERT_FALSE(written.empty());
  auto reader = OggPacketReader::open(dir + "/t.opus", false);
  ASSERT_TRUE(reader);
  std::vector<std::vector<uint8_t>> read;
  while (auto p = reader->next()) read.push_back(std::move(*p));
  EXPECT_EQ(read.size(), written.size());
  EXPECT_TRUE(read == written) << "packets differ";
  EXPECT_FALSE(reader->next()) << "the end is final without loop";
  std::filesystem::remove_all(dir);
}

TEST(OggPacketReader, PacketsSpanningPagesComeOutWhole) {
  // ~500-byte packets on ~100-byte pages: every packet spans several pages.
  expect_same_packets({{{440, 0.5}}, 20, 200000, 100, 0});
}

TEST(OggPacketReader, SeveralPacketsPerPageAndLongHeaders) {
  // Default pages (about 4 KiB, many packets each), and an OpusTags of 70 kB over many pages.
  expect_same_packets({{{440, 1.0}}, 20, 0, 0, 70000});
}

TEST(OggPacketReader, AnyFrameSize) {
  expect_same_packets({{{440, 0.3}}, 60, 0, 0, 0});
  expect_same_packets({{{440, 0.3}}, 10, 0, 0, 0});
}

TEST(OggPacketReader, LoopsToTheFirstAudioPacket) {
  auto dir = temp_dir();
  auto written = write_ogg(dir + "/t.opus", {{{440, 0.2}}, 20, 0, 0, 0});
  ASSERT_EQ(written.size(), 10u);
  auto reader = OggPacketReader::open(dir + "/t.opus", true);
  ASSERT_TRUE(reader);
  for (int pass = 0; pass < 3; ++pass)
    for (size_t i = 0; i < written.size(); ++i) {
      auto p = reader->next();
      ASSERT_TRUE(p);
      EXPECT_EQ(*p, written[i]) << "pass " << pass << " packet " << i;
    }
  std::filesystem::remove_all(dir);
}

TEST(OggPacketReader, RefusesWhatIsNotOggOpus) {
  auto dir = temp_dir();
  EXPECT_FALSE(OggPacketReader::open(dir + "/missing.opus", true));
  {
    FILE* f = std::fopen((dir + "/junk.opus").c_str(), "wb");
    std::fputs("this is not an ogg file at all", f);
    std::fclose(f);
  }
  auto reader = OggPacketReader::open(dir + "/junk.opus", true);
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->next()) << "no audio packet: the end, even with loop";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace parley::bots::test

// Writes a small Ogg Opus file (a sine, 48 kHz stereo, 20 ms packets) with libopus and libogg,
// so MusicBot's --ogg-file path is tested on a real file made here.
#pragma once

#include <string>

namespace parley::bots::test {
bool write_ogg_sine(const std::string& path, double hz, double seconds);
}

// A second process that answers one connection and echoes "chat" messages, driven through
// JSON lines on stdin/stdout. The abrupt-disappearance test kills it with SIGKILL: no goodbye
// of any kind reaches the other side.
#include <boost/json.hpp>
#include <cstdio>
#include <iostream>
#include <mutex>

#include "child_answerer.hpp"
#include "harness.hpp"

namespace parley::peer::test {

std::string encode_signal(const std::string& kind, const SessionDescription* d, const IceCandidate* c) {
  boost::json::object o{{"k", kind}};
  if (d) o["type"] = d->type, o["sdp"] = d->sdp;
  if (c) o["candidate"] = c->candidate, o["mid"] = c->sdp_mid, o["idx"] = c->sdp_mline_index;
  return boost::json::serialize(o);
}

bool decode_signal(const std::string& line, std::string& kind, SessionDescription& d, IceCandidate& c) {
  boost::system::error_code ec;
  auto v = boost::json::parse(line, ec);
  if (ec || !v.is_object()) return false;
  auto& o = v.as_object();
  kind = boost::json::value_to<std::string>(o.at("k"));
  if (kind == "sdp") {
    d.type = boost::json::value_to<std::string>(o.at("type"));
    d.sdp = boost::json::value_to<std::string>(o.at("sdp"));
  } else if (kind == "cand") {
    c.candidate = boost::json::value_to<std::string>(o.at("candidate"));
    c.sdp_mid = boost::json::value_to<std::string>(o.at("mid"));
    c.sdp_mline_index = static_cast<int>(o.at("idx").as_int64());
  }
  return true;
}

int run_child_answerer() {
  Loop loop;
  Factory factory({loop.executor(), true});
  std::mutex out;
  auto write = [&out](const std::string& line) {
    std::lock_guard lock(out);
    std::cout << line << '\n' << std::flush;
  };
  std::shared_ptr<PeerConnection> pc;
  std::vector<std::shared_ptr<DataChannel>> channels;
  PeerCallbacks cb;
  cb.on_local_description = [&](const SessionDescription& d) { write(encode_signal("sdp", &d, nullptr)); };
  cb.on_local_candidate = [&](const IceCandidate& c) { write(encode_signal("cand", nullptr, &c)); };
  cb.on_data_channel = [&](std::shared_ptr<DataChannel> ch) {
    ch->on_message([ch = ch.get()](DataMessage&& m) { ch->send_text("echo " + m.data); });
    channels.push_back(std::move(ch));
  };
  loop.run([&] {
    pc = factory.create({}, cb);
    return 0;
  });
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string kind;
    SessionDescription d;
    IceCandidate c;
    if (!decode_signal(line, kind, d, c)) continue;
    loop.run([&] {
      if (kind == "sdp") pc->set_remote_description(d);
      if (kind == "cand") pc->add_remote_candidate(c);
      return 0;
    });
  }
  loop.run([&] {
    pc->close();
    pc.reset();
    channels.clear();
    return 0;
  });
  return 0;
}

}  // namespace parley::peer::test

// Negotiation edge cases and the end of a peer: early candidates, ICE restart answered, and a
// peer process killed without any goodbye.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "child_answerer.hpp"
#include "harness.hpp"

namespace parley::peer::test {
namespace {

TEST(PeerLifecycle, CandidatesBeforeTheOfferAreQueued) {
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  std::shared_ptr<PeerConnection> a, b;
  std::shared_ptr<DataChannel> a_chat, b_chat;
  std::optional<SessionDescription> held_offer;
  std::vector<IceCandidate> held_candidates;
  std::atomic<bool> open{false};
  loop.run([&] {
    PeerCallbacks ca;
    ca.on_local_description = [&](const SessionDescription& d) { held_offer = d; };  // held back
    ca.on_local_candidate = [&](const IceCandidate& c) {
      held_candidates.push_back(c);
      waiter.notify();
    };
    PeerCallbacks cb;
    cb.on_local_description = [&](const SessionDescription& d) { a->set_remote_description(d); };
    // b's candidates are dropped: only b's checks towards a's queued candidates can connect.
    cb.on_local_candidate = [](const IceCandidate&) {};
    cb.on_data_channel = [&](std::shared_ptr<DataChannel> ch) { b_chat = std::move(ch); };
    a = factory.create({}, ca);
    b = factory.create({}, cb);
    a_chat = a->create_data_channel("chat");
    a_chat->on_open([&] { open = true, waiter.notify(); });
    a->offer();
    return 0;
  });
  ASSERT_TRUE(poll_until(std::chrono::seconds(5), [&] { return loop.run([&] { return !held_candidates.empty(); }); }));
  // Wait for gathering to finish, then deliver every candidate first and the offer last.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  loop.run([&] {
    b->add_remote_candidate({"", "0", 0, ""});  // end-of-candidates: ignored without error
    b->add_remote_candidate({"candidate:garbage", "0", 0, ""});
    for (auto& c : held_candidates) b->add_remote_candidate(c);
    b->set_remote_description(*held_offer);
    return 0;
  });
  EXPECT_TRUE(waiter.wait_for(std::chrono::seconds(10), [&] { return open.load(); }));
  loop.run([&] { a->close(); b->close(); return 0; });
}

TEST(PeerLifecycle, IceRestartIsAnsweredAndTheChannelSurvives) {
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  auto pair = connect_pair(factory, loop, waiter);
  ASSERT_TRUE(pair);
  size_t answers_before = loop.run([&] { return pair->b_descriptions.size(); });
  std::string ufrag_before = loop.run([&] { return pair->b_descriptions.back().sdp; });
  loop.run([&] { pair->a->restart_ice(); return 0; });
  ASSERT_TRUE(waiter.wait_for(std::chrono::seconds(5), [&] { return pair->b_descriptions.size() > answers_before; }));
  std::string after = loop.run([&] { return pair->b_descriptions.back().sdp; });
  auto ufrag = [](const std::string& sdp) {
    auto p = sdp.find("a=ice-ufrag:");
    return sdp.substr(p, sdp.find('\r', p) - p);
  };
  EXPECT_NE(ufrag(ufrag_before), ufrag(after)) << "the answer did not restart ICE";
  std::atomic<int> got{0};
  loop.run([&] {
    pair->b_chat->on_message([&](DataMessage&&) { ++got, waiter.notify(); });
    return pair->a_chat->send_text("after restart");
  });
  EXPECT_TRUE(waiter.wait_for(std::chrono::seconds(5), [&] { return got > 0; }));
  loop.run([&] { pair->a->close(); pair->b->close(); return 0; });
}

// Child process helper: pipes to its stdin/stdout.
struct Child {
  pid_t pid = -1;
  FILE* to = nullptr;
  FILE* from = nullptr;
};

Child spawn_child() {
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    execl("/proc/self/exe", "parley_peer_tests", "--child-answerer", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  return {pid, fdopen(in[1], "w"), fdopen(out[0], "r")};
}

TEST(PeerLifecycle, AbruptDisappearanceIsDetectedAndStateIsFreed) {
  Loop loop;
  Waiter waiter;
  Factory factory({loop.executor(), true});
  Child child = spawn_child();
  ASSERT_GT(child.pid, 0);

  std::shared_ptr<PeerConnection> a;
  std::shared_ptr<DataChannel> chat;
  std::atomic<int> echoes{0};
  std::atomic<ConnectionState> state{ConnectionState::New};
  loop.run([&] {
    PeerCallbacks cb;
    cb.on_local_description = [&](const SessionDescription& d) {
      std::fprintf(child.to, "%s\n", encode_signal("sdp", &d, nullptr).c_str());
      std::fflush(child.to);
    };
    cb.on_local_candidate = [&](const IceCandidate& c) {
      std::fprintf(child.to, "%s\n", encode_signal("cand", nullptr, &c).c_str());
      std::fflush(child.to);
    };
    cb.on_state = [&](ConnectionState s) { state = s, waiter.notify(); };
    a = factory.create({{}, std::chrono::milliseconds(3000)}, cb);
    chat = a->create_data_channel("chat");
    chat->on_open([&] { chat->send_text("hi"); });
    chat->on_message([&](DataMessage&& m) {
      if (m.data == "echo hi") ++echoes, waiter.notify();
    });
    a->offer();
    return 0;
  });
  // The child's answer and candidates, read on this thread and handed to the loop.
  std::thread reader([&] {
    char buf[65536];
    while (std::fgets(buf, sizeof buf, child.from)) {
      std::string kind;
      SessionDescription d;
      IceCandidate c;
      std::string line(buf);
      if (!decode_signal(line, kind, d, c)) continue;
      loop.run([&] {
        if (!a) return 0;
        if (kind == "sdp") a->set_remote_description(d);
        if (kind == "cand") a->add_remote_candidate(c);
        return 0;
      });
    }
  });
  bool echoed = waiter.wait_for(std::chrono::seconds(10), [&] { return echoes > 0; });
  kill(child.pid, SIGKILL);  // no close, no SCTP abort, no DTLS alert: the peer just vanishes
  waitpid(child.pid, nullptr, 0);
  reader.join();
  std::fclose(child.to);
  std::fclose(child.from);
  ASSERT_TRUE(echoed);
  ASSERT_EQ(state.load(), ConnectionState::Connected);

  // ICE notices within the configured failure timeout (plus slack for the checks).
  EXPECT_TRUE(waiter.wait_for(std::chrono::seconds(15), [&] { return state.load() == ConnectionState::Failed; }))
      << "state is " << to_string(state.load());
  // What the bot runtime does on failure: close and drop the peer. Everything is freed.
  std::weak_ptr<PeerConnection> weak_pc = a;
  std::weak_ptr<DataChannel> weak_chat = chat;
  loop.run([&] {
    a->close();
    a.reset();
    chat.reset();
    return 0;
  });
  EXPECT_TRUE(weak_pc.expired());
  EXPECT_TRUE(weak_chat.expired());
  EXPECT_EQ(factory.live_connections(), 0u);
}

}  // namespace
}  // namespace parley::peer::test

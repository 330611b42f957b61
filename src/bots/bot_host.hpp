// The runtime of one bot: its signalling connection and its peers. Offers from unknown nodes
// open a session (bots always answer); a session ends on `offline`, on close, or after 30 s in
// `failed` (the original server sends no `offline`, §6.6).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>

#include "bots/bot.hpp"
#include "bots/file_transfer.hpp"
#include "bots/ice_credential_fetcher.hpp"
#include "bots/signalling_client.hpp"
#include "peer/factory.hpp"

namespace parley::bots {

class PeerSession;

struct RuntimeOptions {
  peer::PeerConfig peer_config;
  std::chrono::milliseconds failed_grace{30000};
  size_t max_sessions = 2000;              // per bot; more offers are refused (hostile input)
  uint64_t max_file_bytes = 64ull << 20;   // EchoBot's --echo-max-file
  // Files held in memory at once, shared by every bot of the process (--echo-max-transfers);
  // nullptr: unlimited (tests of one peer).
  std::shared_ptr<TransferSlots> transfer_slots;
  // This bot's TURN credentials from the server (bots with a token); nullptr: static ICE only.
  std::shared_ptr<IceCredentialFetcher> ice_credentials;
};

class BotHost {
 public:
  BotHost(boost::asio::io_context& io, peer::Factory& factory, std::unique_ptr<Bot> bot, SignallingOptions signalling,
          RuntimeOptions options);
  ~BotHost();
  void start();
  void stop();  // closes every peer and the signalling connection
  bool stopped() const { return client_->finished(); }

  Bot& bot() { return *bot_; }
  boost::asio::io_context& io() { return io_; }
  const std::string& node_id() const { return client_->node_id(); }
  const RuntimeOptions& options() const { return options_; }
  // The configuration for a new peer connection: the static ICE servers plus the fetched TURN
  // entries not yet expired. Running connections keep what they were made with.
  peer::PeerConfig peer_config() const;
  size_t session_count() const { return sessions_.size(); }
  std::shared_ptr<PeerSession> session(const std::string& peer_id) const;

  // Used by PeerSession.
  peer::Factory& factory() { return factory_; }
  void send_description(const std::string& peer_id, const peer::SessionDescription& d);
  void send_candidate(const std::string& peer_id, const peer::IceCandidate& c);
  void end_session(const std::string& peer_id, const char* reason);

 private:
  void on_sdp(const std::string& from, const std::string& type, const std::string& offer_json);
  void on_ice(const std::string& from, const std::string& offer_json);
  void on_registered(const std::string& node_id);
  void end_all(const char* reason);

  boost::asio::io_context& io_;
  peer::Factory& factory_;
  std::unique_ptr<Bot> bot_;
  RuntimeOptions options_;
  std::shared_ptr<SignallingClient> client_;
  std::string last_node_id_;
  std::unordered_map<std::string, std::shared_ptr<PeerSession>> sessions_;
};

}  // namespace parley::bots

#pragma once
// The management API (PROTOCOL.md §5): HTTP/1.1 on a unix socket with mode 0600, answered by
// accounts::BotAccounts. Requests run on the blocking pool (SQLite writes, avatar decoding) and are
// answered from the I/O thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>

#include "accounts/bot_accounts.hpp"
#include "signalling/clock.hpp"

namespace parley::transport {

class ManagementListener {
public:
  ManagementListener(boost::asio::io_context& io, boost::asio::thread_pool& pool, accounts::BotAccounts& bots,
                     const signalling::Clock& clock);
  ~ManagementListener();

  // Creates the parent directory (0750) if needed, replaces a stale socket, binds with mode 0600
  // and starts accepting. Throws std::runtime_error naming the problem: another file at the path,
  // another live server on it, or a bind failure.
  void start(const std::filesystem::path& path);
  // Stops accepting and removes the socket file.
  void stop();
  const std::filesystem::path& path() const { return path_; }

private:
  void accept();

  boost::asio::io_context& io_;
  boost::asio::thread_pool& pool_;
  accounts::BotAccounts& bots_;
  const signalling::Clock& clock_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::filesystem::path path_;
};

}  // namespace parley::transport

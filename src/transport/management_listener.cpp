#include "transport/management_listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>
#include <sys/un.h>

#include "transport/management_socket_path.hpp"
#include "accounts/storage/storage.hpp"
#include "transport/http_types.hpp"
#include "transport/lingering_close.hpp"

namespace parley::transport {
namespace asio = boost::asio;
namespace beast = boost::beast;
using local = asio::local::stream_protocol;

namespace {

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr auto kRequestTimeout = std::chrono::seconds(30);

// One client of the socket: requests in sequence, each answered by BotAccounts on the pool.
class ManagementSession final : public std::enable_shared_from_this<ManagementSession> {
public:
  ManagementSession(local::socket socket, asio::io_context& io, asio::thread_pool& pool, accounts::BotAccounts& bots,
                    const signalling::Clock& clock)
      : stream_(std::move(socket)), io_(io), pool_(pool), bots_(bots), clock_(clock) {}

  void read() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(accounts::BotAccounts::kMaxBodyBytes);
    stream_.expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

private:
  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof) return close();
    if (ec == http::error::body_limit) return refuse(http::status::payload_too_large, "request body too large");
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
      return refuse(http::status::request_header_fields_too_large, "request headers too large");
    if (ec) return refuse(http::status::bad_request, "malformed request");
    auto req = std::make_shared<Request>(parser_->release());
    asio::post(pool_, [self = shared_from_this(), req]() mutable {
      accounts::HttpReply reply;
      try {
        reply = self->bots_.handle({req->method_string(), req->target(), (*req)[http::field::content_type], req->body()},
                                   self->clock_.unix_s());
      } catch (const std::exception& e) {
        spdlog::error("management {}: {}", std::string_view(req->target()).substr(0, 64), e.what());
        reply = accounts::json_error(500, "internal error");
      }
      auto res = std::make_shared<StringResponse>(to_response(reply, *req));
      // Move `self` on: the session (and its socket) must be released on the I/O thread.
      auto& io = self->io_;
      asio::post(io, [self = std::move(self), res] { self->write(res, false); });
    });
  }

  // The request cannot be read to its end: answer, then drain (lingering_close.hpp).
  void refuse(http::status status, std::string_view message) {
    Request dummy;
    dummy.version(11);
    dummy.keep_alive(false);
    write(std::make_shared<StringResponse>(to_response(protocol::json_error(static_cast<unsigned>(status), message), dummy)), true);
  }

  void write(std::shared_ptr<StringResponse> res, bool drain_after) {
    stream_.expires_after(kRequestTimeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, drain_after](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (drain_after) return lingering_close(self->stream_, self);
      if (!res->keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(local::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::basic_stream<local> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  asio::io_context& io_;
  asio::thread_pool& pool_;
  accounts::BotAccounts& bots_;
  const signalling::Clock& clock_;
};

// True when a process accepts connections on the socket at `path` (a server already running).
bool socket_is_live(asio::io_context& io, const std::filesystem::path& path) {
  std::error_code fs_ec;
  if (!std::filesystem::is_socket(path, fs_ec)) return false;
  local::socket probe(io);
  boost::system::error_code ec;
  probe.connect(local::endpoint(path.string()), ec);
  return !ec;
}

}  // namespace

ManagementListener::ManagementListener(asio::io_context& io, asio::thread_pool& pool, accounts::BotAccounts& bots,
                                       const signalling::Clock& clock)
    : io_(io), pool_(pool), bots_(bots), clock_(clock), acceptor_(io), retry_timer_(io) {}

ManagementListener::~ManagementListener() { stop(); }

void ManagementListener::start(const std::filesystem::path& path) {
  if (path.string().size() >= sizeof(sockaddr_un{}.sun_path))
    throw std::runtime_error("management socket path is too long for a unix socket: " + path.string());
  if (socket_is_live(io_, path))
    throw std::runtime_error("another server is already listening on the management socket " + path.string());
  prepare_management_socket_path(path);  // throws if a non-socket file is there
  acceptor_.open(local());
  {
    PrivateUmask guard;  // the socket is created 0600, never wider, not even for a moment
    boost::system::error_code ec;
    acceptor_.bind(local::endpoint(path.string()), ec);
    if (ec) {
      acceptor_.close();
      throw std::runtime_error("cannot bind the management socket " + path.string() + ": " + ec.message());
    }
  }
  path_ = path;
  acceptor_.listen();
  accept();
}

void ManagementListener::stop() {
  if (!acceptor_.is_open()) return;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  std::error_code fs_ec;
  std::filesystem::remove(path_, fs_ec);
}

void ManagementListener::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, local::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: back off briefly, keep serving.
      spdlog::warn("management socket: accept failed: {}", ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec) accept();
      });
      return;
    }
    std::make_shared<ManagementSession>(std::move(socket), io_, pool_, bots_, clock_)->read();
    accept();
  });
}

}  // namespace parley::transport

#include "transport/management_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <stdexcept>

namespace parley::transport {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;

ManagementAnswer call_management(const std::filesystem::path& socket_path, const ManagementCall& call,
                                 std::chrono::seconds timeout) {
  asio::io_context io;
  beast::basic_stream<local> stream(io);
  http::request<http::string_body> req{http::string_to_verb(call.method), call.target, 11};
  req.set(http::field::host, "localhost");
  if (!call.content_type.empty()) req.set(http::field::content_type, call.content_type);
  req.body() = call.body;
  req.prepare_payload();
  req.keep_alive(false);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);

  // Asynchronous only so that the stream's deadline applies to every step.
  beast::error_code connect_ec, write_ec, read_ec;
  stream.expires_after(timeout);
  stream.async_connect(local::endpoint(socket_path.string()), [&](beast::error_code ec) {
    connect_ec = ec;
    if (ec) return;
    http::async_write(stream, req, [&](beast::error_code ec2, std::size_t) {
      // Not final: the server may refuse early (413) and still have answered.
      write_ec = ec2;
      http::async_read(stream, buffer, parser, [&](beast::error_code ec3, std::size_t) { read_ec = ec3; });
    });
  });
  io.run();

  if (connect_ec) {
    std::string hint;
    if (connect_ec == boost::system::errc::no_such_file_or_directory || connect_ec == asio::error::connection_refused)
      hint = " (is parley-server running with this --management-listen path?)";
    else if (connect_ec == asio::error::access_denied)
      hint = " (run as the user that runs parley-server)";
    throw std::runtime_error("cannot connect to the management socket " + socket_path.string() + ": " +
                             connect_ec.message() + hint);
  }
  if (read_ec) {
    const auto& why = read_ec == beast::error::timeout ? read_ec : (write_ec ? write_ec : read_ec);
    throw std::runtime_error("management request to " + socket_path.string() + " failed: " + why.message());
  }
  return ManagementAnswer{parser.get().result_int(), parser.get().body()};
}

}  // namespace parley::transport

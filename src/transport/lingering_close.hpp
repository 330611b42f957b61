#pragma once
// Closing a socket that still holds unread request bytes makes the kernel answer with a reset, and
// a reset can discard the error response the client has not read yet. So after refusing a request
// that was not read to its end (too large, malformed), stop sending, read and discard what the
// client still sends for a bounded time and amount, then close: the client sees the answer.
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

namespace parley::transport {

inline constexpr auto kLingerTimeout = std::chrono::seconds(3);
inline constexpr std::size_t kLingerMaxBytes = 8 * 1024 * 1024;

namespace detail {
template <class Stream, class Owner>
void discard_more(Stream& stream, std::shared_ptr<Owner> owner, std::shared_ptr<std::vector<char>> scratch,
                  std::size_t left) {
  stream.async_read_some(boost::asio::buffer(*scratch),
                         [&stream, owner, scratch, left](boost::beast::error_code ec, std::size_t n) mutable {
                           if (ec || n >= left) {
                             boost::beast::error_code ignored;
                             stream.socket().shutdown(Stream::socket_type::shutdown_both, ignored);
                             stream.close();
                             return;
                           }
                           discard_more(stream, std::move(owner), std::move(scratch), left - n);
                         });
}
}  // namespace detail

// `stream` is a beast::basic_stream owned by `owner`, which this keeps alive until the close.
template <class Stream, class Owner>
void lingering_close(Stream& stream, std::shared_ptr<Owner> owner) {
  boost::beast::error_code ignored;
  stream.socket().shutdown(Stream::socket_type::shutdown_send, ignored);
  stream.expires_after(kLingerTimeout);  // one deadline for the whole drain, not per read
  auto scratch = std::make_shared<std::vector<char>>(16 * 1024);
  detail::discard_more(stream, std::move(owner), std::move(scratch), kLingerMaxBytes);
}

}  // namespace parley::transport

#pragma once
// The account routes of PROTOCOL.md §3.2 (profile, avatar, logout, GitHub and Kioubit logins) in
// the HTTP route table, answered by the accounts core. Work that makes outbound HTTP requests
// (the GitHub callback, a remote avatar not in the cache) runs on a small thread pool and its
// reply is posted back to the I/O thread: the single I/O thread never waits on the network.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "accounts/accounts.hpp"
#include "accounts/http/accounts_http.hpp"
#include "signalling/clock.hpp"
#include "transport/http_routes.hpp"

namespace parley::transport {

class AccountRoutes {
public:
  AccountRoutes(boost::asio::io_context& io, boost::asio::thread_pool& pool, accounts::Accounts& accounts,
                const signalling::Clock& clock);

  // Registers the routes. Login routes of providers that are not configured stay 404.
  void install(HttpRoutes& routes);

private:
  void serve(const HttpRoutes& routes, const RouteRequest& r, Respond respond);
  void run_blocking(std::string path, std::function<accounts::AccountReply()> job, Respond respond);
  void answer(accounts::AccountReply reply, const Respond& respond);

  boost::asio::io_context& io_;
  boost::asio::thread_pool& pool_;
  accounts::Accounts& accounts_;
  accounts::AccountsHttpApi api_;
  const signalling::Clock& clock_;
};

}  // namespace parley::transport

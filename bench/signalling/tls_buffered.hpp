#pragma once
// For the load generator's wss clients (Asio's TLS stream, a BIO pair): whether a TLS connection
// has another record's data to read without waiting for the network.
#include <openssl/ssl.h>

namespace parley::transport {

// True if `ssl` holds decrypted bytes not read yet, or its read BIO (Asio's BIO pair) holds one
// whole record already received. Reading then completes at once and never waits for the peer.
bool tls_record_buffered(SSL* ssl);

}  // namespace parley::transport

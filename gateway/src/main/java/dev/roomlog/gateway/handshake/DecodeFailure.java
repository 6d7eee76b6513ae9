package dev.roomlog.gateway.handshake;

/**
 * Why Netty's HTTP decoder could not read a handshake request, if it could not: {@link
 * HandshakeHandler} reads it from the request's decoder result, {@link HandshakePolicy} turns it
 * into 414, 431 or 400.
 */
enum DecodeFailure {
  NONE,
  LINE_TOO_LONG,
  HEADERS_TOO_LARGE,
  MALFORMED
}

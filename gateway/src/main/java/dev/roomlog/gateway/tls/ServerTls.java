package dev.roomlog.gateway.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * How a server-side {@link SslContext} is made: OpenSSL (BoringSSL, through netty-tcnative) when
 * its native library loads on this machine, else the JDK's engine; TLS 1.3 and 1.2 only (older
 * versions are deprecated by RFC 8996), with Netty's default cipher suites, which are
 * forward-secret AEAD ones only. No ALPN: both ports speak HTTP/1.1 (the WebSocket upgrade needs
 * it).
 */
public final class ServerTls {
  /** The protocol versions offered, newest first. */
  public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private ServerTls() {}

  /** The engine used: OpenSSL when netty-tcnative's library loaded, else the JDK's. */
  public static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /**
   * A server context for these credentials.
   *
   * @throws IllegalArgumentException when the engine refuses them
   */
  public static SslContext context(TlsCredentials credentials) {
    try {
      return SslContextBuilder.forServer(
              credentials.key(),
              credentials.chain().toArray(new java.security.cert.X509Certificate[0]))
          .sslProvider(provider())
          .protocols(PROTOCOLS)
          .build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("the TLS engine refused the certificate or key: " + e, e);
    }
  }

  /**
   * A handler for one accepted socket. {@code handshakeTimeout} bounds the TLS handshake alone;
   * {@link Duration#ZERO} leaves it to a later handler that bounds the whole handshake from accept
   * (the WebSocket port's {@code HandshakeTimeoutHandler}), so that one timer, counted once, closes
   * a socket that never finishes.
   */
  public static SslHandler newHandler(
      SslContext context, ByteBufAllocator alloc, Duration handshakeTimeout) {
    SslHandler handler = context.newHandler(alloc);
    handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
    return handler;
  }
}

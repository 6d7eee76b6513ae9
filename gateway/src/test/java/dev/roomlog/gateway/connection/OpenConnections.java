package dev.roomlog.gateway.connection;

import dev.roomlog.gateway.handshake.HandshakeAttributes;
import dev.roomlog.gateway.limits.AnswerBudget;
import dev.roomlog.gateway.limits.UnansweredActions;
import dev.roomlog.gateway.settings.ApiKey;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import io.netty.channel.Channel;
import java.time.Clock;
import java.time.Duration;

/**
 * Registers a channel as an open, handshaken connection, as the gateway's pipeline does after the
 * handshake: for tests outside this package (the management API's) that need a connection to act
 * on.
 */
public final class OpenConnections {
  private OpenConnections() {}

  public static void open(
      ConnectionRegistry registry,
      String connectionId,
      Channel channel,
      long connectedAt,
      String sourceIp,
      String userAgent,
      String apiKeyName) {
    // Only what ConnectionRegistry reads (info, answers): it needs no intake or other limits.
    Connection connection =
        new Connection(
            null,
            connectionId,
            connectedAt,
            new RequestContext.Identity(sourceIp),
            Authorizer.apiKey(apiKeyName == null ? "-" : apiKeyName),
            null,
            new UnansweredActions(Integer.MAX_VALUE, Duration.ofDays(1), Clock.systemUTC()),
            null,
            new AnswerBudget(Integer.MAX_VALUE, Integer.MAX_VALUE, System::nanoTime),
            "",
            null,
            null);
    channel.attr(ConnectionAttributes.CONNECTION).set(connection);
    channel.attr(HandshakeAttributes.USER_AGENT).set(userAgent);
    channel.attr(HandshakeAttributes.API_KEY).set(new ApiKey(apiKeyName, "unused-secret"));
    registry.register(connectionId, channel);
  }
}

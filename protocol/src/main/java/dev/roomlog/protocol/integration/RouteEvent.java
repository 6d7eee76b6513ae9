package dev.roomlog.protocol.integration;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.action.Authorizer;
import dev.roomlog.protocol.action.RequestContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The event a route integration's backend gets: the one AWS API Gateway sends a Lambda proxy
 * integration of a WebSocket API, with the same field names, built from a record's {@link
 * RequestContext} (docs/INTEGRATIONS.md "The event" has an example). Pure: the gateway builds the
 * {@code $connect} event with it, the integrations worker every other one.
 *
 * <p>What API Gateway has and Roomlog has not: {@code apiId} is {@value #API_ID}; {@code messageId}
 * and {@code extendedRequestId} are the record's {@code requestId}; {@code authorizer} holds the
 * connection's identity as a Lambda authorizer's context would ({@code principalId}, and for a
 * token its {@code name}, {@code rooms} comma-separated, {@code createRooms}, {@code expiresAt}).
 */
public final class RouteEvent {
  public static final String API_ID = "roomlog";

  /** {@code requestContext.stage}: Roomlog has one stage, named as API Gateway's default one. */
  public static final String STAGE = "$default";

  private static final DateTimeFormatter REQUEST_TIME =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * Where the backend reaches the management API: {@code domainName} ({@code host[:port]}) and
   * {@code stage}, as API Gateway gives them so that a handler can build its callback URL.
   */
  public record Place(String domainName, String stage) {
    public Place {
      Objects.requireNonNull(domainName, "domainName");
      Objects.requireNonNull(stage, "stage");
    }
  }

  private RouteEvent() {}

  /** The event of a {@code MESSAGE} or {@code DISCONNECT}: {@code body} as the client sent it. */
  public static ObjectNode of(RequestContext ctx, String body, Place place) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    event.set("requestContext", requestContext(ctx, place));
    if (body != null) {
      event.put("body", body);
    }
    event.put("isBase64Encoded", false);
    return event;
  }

  /**
   * The event of a {@code $connect}, with the handshake's headers and query string as API Gateway
   * passes them: the single-value maps hold each name's last value, the multi-value ones all.
   */
  public static ObjectNode connect(
      RequestContext ctx,
      Map<String, List<String>> headers,
      Map<String, List<String>> query,
      Place place) {
    ObjectNode event = Json.MAPPER.createObjectNode();
    putMaps(event, "headers", "multiValueHeaders", headers);
    if (!query.isEmpty()) {
      putMaps(event, "queryStringParameters", "multiValueQueryStringParameters", query);
    }
    event.set("requestContext", requestContext(ctx, place));
    event.put("isBase64Encoded", false);
    return event;
  }

  private static void putMaps(
      ObjectNode event, String single, String multi, Map<String, List<String>> values) {
    ObjectNode one = event.putObject(single);
    ObjectNode all = event.putObject(multi);
    values.forEach(
        (name, list) -> {
          if (!list.isEmpty()) {
            one.put(name, list.get(list.size() - 1));
            list.forEach(all.putArray(name)::add);
          }
        });
  }

  private static ObjectNode requestContext(RequestContext ctx, Place place) {
    ObjectNode rc = Json.MAPPER.createObjectNode();
    rc.put("routeKey", ctx.routeKey());
    rc.put("eventType", ctx.eventType().name());
    rc.put("messageDirection", "IN");
    rc.put("connectionId", ctx.connectionId());
    rc.put("requestId", ctx.requestId());
    rc.put("messageId", ctx.requestId());
    rc.put("extendedRequestId", ctx.requestId());
    rc.put("connectedAt", ctx.connectedAt());
    rc.put("requestTimeEpoch", ctx.requestTimeEpoch());
    rc.put("requestTime", REQUEST_TIME.format(Instant.ofEpochMilli(ctx.requestTimeEpoch())));
    rc.put("domainName", place.domainName());
    rc.put("stage", place.stage());
    rc.put("apiId", API_ID);
    ObjectNode identity = rc.putObject("identity");
    identity.put("sourceIp", ctx.identity().sourceIp());
    if (ctx.identity().userAgent() != null) {
      identity.put("userAgent", ctx.identity().userAgent());
    }
    Authorizer who = ctx.authorizer();
    if (who != null) {
      ObjectNode authorizer = rc.putObject("authorizer");
      authorizer.put("principalId", who.principalId());
      authorizer.put("type", who.type());
      if (who.name() != null) {
        authorizer.put("name", who.name());
      }
      if (who.rooms() != null) {
        authorizer.put("rooms", String.join(",", who.rooms()));
      }
      if (who.createRooms() != null) {
        authorizer.put("createRooms", who.createRooms());
      }
      if (who.expiresAt() != null) {
        authorizer.put("expiresAt", who.expiresAt());
      }
    }
    return rc;
  }
}

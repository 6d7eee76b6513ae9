package dev.roomlog.gateway.management;

import dev.roomlog.protocol.AdminKeyCheck;
import dev.roomlog.protocol.ConnectionIds;
import dev.roomlog.protocol.action.Action;
import dev.roomlog.protocol.action.ActionParser;
import dev.roomlog.protocol.control.CommandAnswer;
import dev.roomlog.protocol.control.ConnectionCommand.Op;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management API's rules, apart from HTTP's bytes: what each request needs (the admin key or an
 * AWS SigV4 signature, a body within its limit) and what it answers. The I/O it drives (the
 * connection commands, the room poster) is handed in.
 *
 * <p>Who may call it is {@link ManagementAccess}'s to say. A signed request (SigV4) is answered,
 * refusals included, in API Gateway's shapes ({@link AwsAnswers}), as the AWS SDKs read them; every
 * other request as before.
 */
public final class ManagementApi {
  private static final Logger log = LoggerFactory.getLogger(ManagementApi.class);

  /**
   * The largest body {@code POST /@connections/{id}} sends, as API Gateway's 128 KB message limit;
   * larger gets 413.
   */
  public static final int MAX_SEND_BYTES = 128 * 1024;

  /** The largest body of a server post: room for a 4096-character text and the other fields. */
  public static final int MAX_POST_BYTES = 64 * 1024;

  private final String stage;
  private final Supplier<String> scrape;
  private ManagementAccess access;
  private final ConnectionCommands connections;
  private final RoomPoster poster;
  private final String adminKey;
  private RoomQueryForwarder rooms;
  private WebhookEndpoints webhooks;

  public ManagementApi(
      String stage, String adminKey, ConnectionCommands connections, RoomPoster poster) {
    this(stage, adminKey, connections, poster, null);
  }

  /**
   * @param scrape the answer to {@code GET /metrics}; null for none (404)
   */
  public ManagementApi(
      String stage,
      String adminKey,
      ConnectionCommands connections,
      RoomPoster poster,
      Supplier<String> scrape) {
    this.stage = stage;
    this.scrape = scrape;
    this.adminKey = adminKey == null ? null : adminKey.strip();
    this.access = new ManagementAccess(new AdminKeyCheck(adminKey), null);
    this.connections = connections;
    this.poster = poster;
  }

  /** Forwards room queries to the processors through {@code rooms}; without, they get 404. */
  public ManagementApi withRoomQueries(RoomQueryForwarder rooms) {
    this.rooms = rooms;
    return this;
  }

  /** Manages the webhook subscriptions in {@code store}; without, {@code /webhooks} gets 404. */
  public ManagementApi withWebhooks(KafkaWebhookStore store, Clock clock) {
    return withWebhookStore(store, clock);
  }

  ManagementApi withWebhookStore(WebhookStore store, Clock clock) {
    this.webhooks = new WebhookEndpoints(store, clock);
    return this;
  }

  /**
   * Accepts AWS Signature Version 4 from these access keys (id to secret), for the service {@code
   * execute-api} (as the SDKs sign API Gateway's management API) and any region; their dates are
   * checked against {@code clock}. None: signed requests are refused.
   */
  public ManagementApi withAwsAccessKeys(Map<String, String> secretsById, Clock clock) {
    this.access =
        access.withSignatures(
            secretsById.isEmpty()
                ? null
                : new AwsSignatureCheck(secretsById, SIGV4_SERVICE, clock));
    return this;
  }

  /** The service a signature's scope must name: the one API Gateway's SDK clients sign for. */
  static final String SIGV4_SERVICE = "execute-api";

  /**
   * As {@link #handle(String, String, String, Function, byte[], String)} without a query string.
   */
  public CompletableFuture<ApiAnswer> handle(
      String method,
      String rawPath,
      Function<String, List<String>> headers,
      byte[] body,
      String sourceIp) {
    return handle(method, rawPath, null, headers, body, sourceIp);
  }

  /**
   * Answers one request. Never completes exceptionally.
   *
   * @param headers a header's values by its lower-case name (empty when absent)
   * @param sourceIp the caller's address, for the log
   */
  public CompletableFuture<ApiAnswer> handle(
      String method,
      String rawPath,
      String rawQuery,
      Function<String, List<String>> headers,
      byte[] body,
      String sourceIp) {
    boolean signed = ManagementAccess.signed(headers);
    ApiAnswer refused = precheck(method, rawPath, headers, body.length, sourceIp);
    // GET /metrics takes no key, so no signature is checked there either (the node may have none).
    if (refused == null
        && signed
        && !(ManagementRequest.parse(method, rawPath, stage)
            instanceof ManagementRequest.Metrics)) {
      ApiAnswer bad = access.signature(method, rawPath, rawQuery, headers, body);
      if (bad != null) {
        refused = AwsAnswers.of(logged(method, rawPath, sourceIp, bad));
      }
    }
    if (refused != null) {
      return done(refused);
    }
    return answer(method, rawPath, rawQuery, body, sourceIp, signed)
        .thenApply(answer -> signed ? AwsAnswers.of(answer) : answer);
  }

  private CompletableFuture<ApiAnswer> answer(
      String method,
      String rawPath,
      String rawQuery,
      byte[] body,
      String sourceIp,
      boolean signed) {
    ManagementRequest request = ManagementRequest.parse(method, rawPath, stage);
    if (request instanceof ManagementRequest.Metrics) {
      return done(new ApiAnswer(200, null, null, scrape.get()));
    }
    if (request instanceof ManagementRequest.RoomQuery) {
      return rooms.forward(rawQuery == null ? rawPath : rawPath + "?" + rawQuery, adminKey);
    }
    try {
      if (request instanceof ManagementRequest.OnConnection on) {
        return onConnection(on, body, signed);
      }
      if (request instanceof ManagementRequest.Kick kick) {
        return kick(kick, body, sourceIp);
      }
      if (request instanceof ManagementRequest.Webhooks hooks) {
        return webhooks.answer(method, hooks.id(), body);
      }
      return postToRoom((ManagementRequest.PostToRoom) request, body, sourceIp);
    } catch (RuntimeException e) {
      log.error("management request {} {} failed", method, rawPath, e);
      return done(ApiAnswer.error(500, "internalError", "unexpected failure: " + e));
    }
  }

  /**
   * What can be decided from the request's head alone, before its body is read: the path, the key,
   * and a declared length past the route's limit. Null when the body may be read. Called by the
   * server before it reads the body, so a caller without the key never makes it buffer one.
   *
   * @param contentLength the declared body length, or -1 when the head declares none
   */
  public ApiAnswer precheck(
      String method,
      String rawPath,
      Function<String, List<String>> headers,
      long contentLength,
      String sourceIp) {
    ApiAnswer refused = precheckPlain(method, rawPath, headers, contentLength, sourceIp);
    return refused != null && ManagementAccess.signed(headers) ? AwsAnswers.of(refused) : refused;
  }

  private ApiAnswer precheckPlain(
      String method,
      String rawPath,
      Function<String, List<String>> headers,
      long contentLength,
      String sourceIp) {
    ManagementRequest request = ManagementRequest.parse(method, rawPath, stage);
    if (request instanceof ManagementRequest.Invalid invalid) {
      return ApiAnswer.error(invalid.status(), invalid.code(), invalid.message(), invalid.allow());
    }
    if (request instanceof ManagementRequest.Metrics) {
      return scrape != null
          ? null
          : ApiAnswer.error(404, "notFound", "this node serves no metrics");
    }
    if (request instanceof ManagementRequest.RoomQuery && rooms == null) {
      return ApiAnswer.error(
          404,
          "notFound",
          "this gateway forwards no room queries: ask a processor's query port (7070), or set"
              + " roomlog.gateway.roomsUrls to the processors' query URLs");
    }
    if (request instanceof ManagementRequest.Webhooks && webhooks == null) {
      return ApiAnswer.error(404, "notFound", "this gateway manages no webhook subscriptions");
    }
    ApiAnswer refused = access.head(headers);
    if (refused != null) {
      return logged(method, rawPath, sourceIp, refused);
    }
    int limit =
        request instanceof ManagementRequest.PostToRoom || request instanceof ManagementRequest.Kick
            ? MAX_POST_BYTES
            : request instanceof ManagementRequest.Webhooks
                ? WebhookEndpoints.MAX_BODY_BYTES
                : MAX_SEND_BYTES;
    if (contentLength > limit) {
      return ApiAnswer.error(
          413,
          "payloadTooLarge",
          "the body is " + contentLength + " bytes; at most " + limit + " are taken here");
    }
    return null;
  }

  /** Logs a refused key or signature: the reason and the source, never a key. */
  private static ApiAnswer logged(
      String method, String rawPath, String sourceIp, ApiAnswer refused) {
    log.info(
        "management request {} {} from {} refused: {} {}",
        method,
        truncate(rawPath),
        sourceIp,
        refused.status(),
        refused.json());
    return refused;
  }

  private CompletableFuture<ApiAnswer> onConnection(
      ManagementRequest.OnConnection on, byte[] body, boolean signed) {
    String holder = ConnectionIds.gatewayOf(on.connectionId()).orElse(null);
    if (holder == null) {
      return done(
          ApiAnswer.error(
              400,
              "invalidConnectionId",
              "'"
                  + truncate(on.connectionId())
                  + "' is not a connection id: expected the id of the"
                  + " client's connected frame, <gatewayId>.<unique>"));
    }
    String data = null;
    if (on.op() == Op.SEND) {
      if (body.length == 0) {
        return done(
            ApiAnswer.error(
                400, "emptyBody", "the body is the frame to send: it must not be empty"));
      }
      data = utf8(body);
      if (data == null) {
        return done(
            ApiAnswer.error(
                400, "invalidBody", "the body must be UTF-8 text: it is sent as a text frame"));
      }
    }
    return connections
        .execute(holder, on.op(), on.connectionId(), data)
        .handle(
            (answer, failure) -> failure == null ? answered(on, answer, signed) : failed(failure));
  }

  private static ApiAnswer answered(
      ManagementRequest.OnConnection on, CommandAnswer answer, boolean signed) {
    if (answer.outcome() == CommandAnswer.Outcome.GONE) {
      return ApiAnswer.error(410, "gone", "connection " + on.connectionId() + " is not connected");
    }
    return switch (on.op()) {
      case SEND -> ApiAnswer.empty(200);
      case DELETE -> ApiAnswer.empty(204);
      case GET -> signed ? AwsAnswers.connection(answer.info()) : ApiAnswer.ok(answer.info());
    };
  }

  private static ApiAnswer failed(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof ConnectionCommands.Busy busy) {
      return ApiAnswer.error(503, "busy", busy.getMessage());
    }
    if (cause instanceof ConnectionCommands.NoAnswer none) {
      return ApiAnswer.error(504, "gatewayTimeout", none.getMessage());
    }
    if (cause instanceof RoomPoster.NotAnswered post) {
      return post.mayBeRecorded()
          ? ApiAnswer.error(504, "gatewayTimeout", post.getMessage())
          : ApiAnswer.error(503, "overloaded", post.getMessage());
    }
    log.error("management request failed", cause);
    return ApiAnswer.error(500, "internalError", "unexpected failure: " + cause);
  }

  private CompletableFuture<ApiAnswer> postToRoom(
      ManagementRequest.PostToRoom post, byte[] body, String sourceIp) {
    // Its size was checked with the head (precheck).
    String json = utf8(body);
    if (json == null) {
      return done(ApiAnswer.error(400, "invalidBody", "the body must be UTF-8 JSON"));
    }
    ActionParser.Result parsed = ActionParser.parsePost(post.roomId(), json);
    if (parsed instanceof ActionParser.Result.Rejected rejected) {
      return done(ApiAnswer.error(400, rejected.error().code(), rejected.error().message()));
    }
    Action.PostMessage action =
        (Action.PostMessage) ((ActionParser.Result.Accepted) parsed).action();
    return poster
        .post(action, sourceIp)
        .handle(
            (frame, failure) -> failure == null ? RoomPostAnswers.posted(frame) : failed(failure));
  }

  private CompletableFuture<ApiAnswer> kick(
      ManagementRequest.Kick kick, byte[] body, String sourceIp) {
    String json = utf8(body);
    if (json == null) {
      return done(ApiAnswer.error(400, "invalidBody", "the body must be UTF-8 JSON"));
    }
    Object parsed = KickBody.parse(kick.roomId(), json);
    if (parsed instanceof KickBody.Refused refused) {
      return done(ApiAnswer.error(400, refused.code(), refused.message()));
    }
    return poster
        .moderate((Action.Moderate) parsed, sourceIp)
        .handle(
            (frame, failure) ->
                failure == null ? RoomPostAnswers.moderated(frame) : failed(failure));
  }

  /** The body as text, or null if it is not valid UTF-8. */
  private static String utf8(byte[] body) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String truncate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }

  private static CompletableFuture<ApiAnswer> done(ApiAnswer answer) {
    return CompletableFuture.completedFuture(answer);
  }
}

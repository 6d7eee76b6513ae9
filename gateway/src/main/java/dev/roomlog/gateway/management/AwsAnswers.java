package dev.roomlog.gateway.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.roomlog.protocol.Json;
import dev.roomlog.protocol.control.ConnectionInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * API Gateway's shapes of the management API's answers, given to requests signed with SigV4 (the
 * AWS SDKs' {@code ApiGatewayManagementApi} clients), where they differ from Roomlog's own. A
 * request with the admin key gets Roomlog's shapes, unchanged. Pure.
 *
 * <ul>
 *   <li>{@code GET /@connections/{id}}: {@code connectedAt} and {@code lastActiveAt} as ISO-8601
 *       text (Roomlog's own are epoch millis), {@code identity} with {@code sourceIp} and {@code
 *       userAgent} only, as the SDKs' GetConnectionResponse reads it.
 *   <li>Errors: the {@code x-amzn-ErrorType} header the SDKs choose their exception by ({@code
 *       GoneException}, {@code ForbiddenException}, {@code PayloadTooLargeException}, {@code
 *       LimitExceededException}, ...), and the same JSON body, whose {@code message} the SDKs read.
 *       Too many waiting requests (503 {@code busy} or {@code overloaded}) are API Gateway's 429
 *       {@code LimitExceededException}, which the SDKs back off from and retry; 401 is 403, as API
 *       Gateway answers a request without a valid signature.
 * </ul>
 */
final class AwsAnswers {
  private AwsAnswers() {}

  /** The GetConnection body of {@code info}. */
  static ApiAnswer connection(ConnectionInfo info) {
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("sourceIp", info.identity().sourceIp());
    if (info.identity().userAgent() != null) {
      identity.put("userAgent", info.identity().userAgent());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("connectedAt", Instant.ofEpochMilli(info.connectedAt()).toString());
    body.put("identity", identity);
    body.put("lastActiveAt", Instant.ofEpochMilli(info.lastActiveAt()).toString());
    return ApiAnswer.ok(body);
  }

  /** {@code answer} as API Gateway would give it: errors typed; the rest as it is. */
  static ApiAnswer of(ApiAnswer answer) {
    if (answer.status() < 400) {
      return answer;
    }
    String code = null;
    JsonNode body = null;
    try {
      body = answer.json() == null ? null : Json.MAPPER.readTree(answer.json());
    } catch (JsonProcessingException e) {
      // A forwarded body that is not JSON: kept as it is.
    }
    if (body instanceof ObjectNode object && object.path("code").isTextual()) {
      code = object.path("code").asText();
    }
    int status =
        answer.status() == 401
            ? 403
            : answer.status() == 503 && ("busy".equals(code) || "overloaded".equals(code))
                ? 429
                : answer.status();
    String json = answer.json();
    if (body instanceof ObjectNode object && status != answer.status()) {
      object.put("status", status);
      json = Json.write(object);
    }
    return new ApiAnswer(status, json, answer.allow(), answer.text(), errorType(status));
  }

  /** The error type API Gateway names for a status; its own for the four the SDKs model. */
  static String errorType(int status) {
    return switch (status) {
      case 403 -> "ForbiddenException";
      case 410 -> "GoneException";
      case 413 -> "PayloadTooLargeException";
      case 429 -> "LimitExceededException";
      case 404 -> "NotFoundException";
      case 500 -> "InternalServerErrorException";
      case 503 -> "ServiceUnavailableException";
      case 504 -> "GatewayTimeoutException";
      default -> status >= 500 ? "InternalServerErrorException" : "BadRequestException";
    };
  }
}

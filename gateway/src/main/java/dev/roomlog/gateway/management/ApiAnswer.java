package dev.roomlog.gateway.management;

import dev.roomlog.protocol.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP answer of the management API: a status, a JSON body (null for none), for 405 the allowed
 * methods, for {@code /metrics} a text body instead of JSON, and for a request signed with SigV4
 * the error type API Gateway names in {@code x-amzn-ErrorType} (null for none; {@link AwsAnswers}).
 * Errors are {@code {"status", "code", "message"}} like the processor's.
 */
record ApiAnswer(int status, String json, String allow, String text, String errorType) {
  ApiAnswer(int status, String json, String allow) {
    this(status, json, allow, null, null);
  }

  ApiAnswer(int status, String json, String allow, String text) {
    this(status, json, allow, text, null);
  }

  static ApiAnswer ok(Object body) {
    return new ApiAnswer(200, Json.write(body), null);
  }

  static ApiAnswer of(int status, Object body) {
    return new ApiAnswer(status, Json.write(body), null);
  }

  static ApiAnswer empty(int status) {
    return new ApiAnswer(status, null, null);
  }

  static ApiAnswer error(int status, String code, String message) {
    return error(status, code, message, null);
  }

  static ApiAnswer error(int status, String code, String message, String allow) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("code", code);
    body.put("message", message);
    return new ApiAnswer(status, Json.write(body), allow);
  }
}

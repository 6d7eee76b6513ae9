package dev.roomlog.processor.query;

import dev.roomlog.protocol.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** A status and a JSON body. */
record Answer(int status, String json) {
  static Answer error(QueryRequest.Invalid invalid) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", invalid.status());
    body.put("code", invalid.code());
    body.put("message", invalid.message());
    return new Answer(invalid.status(), Json.write(body));
  }

  static Answer notReady(String why) {
    return error(new QueryRequest.Invalid(503, "notReady", why + "; retry shortly"));
  }
}

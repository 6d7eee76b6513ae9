package dev.roomlog.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;

/**
 * The one JSON configuration of Roomlog: absent fields are left out, unknown fields are ignored (so
 * that an older reader survives a newer writer), data after the value is refused, and nesting is
 * capped so that a hostile document cannot exhaust the stack.
 */
public final class Json {
  /** Deeper documents are refused while parsing; no Roomlog message needs more than 4. */
  public static final int MAX_NESTING_DEPTH = 16;

  public static final ObjectMapper MAPPER = newMapper();

  /**
   * Reads one value from a parser and leaves what follows to the caller (who then names the data
   * after it, or ignores it when reading what it can of a broken record).
   */
  public static final ObjectReader LENIENT_TREE_READER =
      MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  private static ObjectMapper newMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // A record or body is one JSON value; anything after it means a broken writer.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
    return mapper;
  }

  /** Serializes a value that is known to be serializable (one of the protocol's records). */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }
}

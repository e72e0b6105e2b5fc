package dev.waterfall.relay.frame;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Strict UTF-8 and strict JSON for CONTROL frames: exactly one JSON object, nothing after it. */
final class ControlJson {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private ControlJson() {}

  static byte[] utf8(String json) {
    try {
      ByteBuffer bytes =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(json));
      return Arrays.copyOf(bytes.array(), bytes.limit());
    } catch (CharacterCodingException e) {
      throw new FrameException("bad-utf8", "control text is not valid Unicode");
    }
  }

  static String text(ByteBuffer bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new FrameException("bad-utf8", "control body is not valid UTF-8");
    }
  }

  /**
   * Parses from text, not bytes: Jackson would otherwise guess UTF-16 or UTF-32 from the first
   * bytes.
   */
  static JsonNode parseObject(String json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (IOException | RuntimeException e) {
      throw new FrameException("bad-json", "control body is not JSON");
    }
    if (node == null || !node.isObject()) {
      throw new FrameException("bad-json", "control body must be a JSON object");
    }
    return node;
  }
}

package dev.waterfall.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * JSON encoding of {@link Message}s. Decoding never throws anything but {@link ProtocolException},
 * whose code is sent back to the peer, so a hostile client can only ever earn an {@code error}.
 */
public final class MessageCodec {
  public static final int VERSION = 1;

  private static final Map<String, Class<? extends Message>> TYPES =
      Map.ofEntries(
          Map.entry("join", Message.Join.class),
          Map.entry("resume", Message.Resume.class),
          Map.entry("welcome", Message.Welcome.class),
          Map.entry("error", Message.Error.class),
          Map.entry("signal", Message.Signal.class),
          Map.entry("heartbeat", Message.Heartbeat.class),
          Map.entry("report", Message.Report.class),
          Map.entry("leave", Message.Leave.class),
          Map.entry("reparent", Message.Reparent.class),
          Map.entry("child-joined", Message.ChildJoined.class),
          Map.entry("child-left", Message.ChildLeft.class),
          Map.entry("ice-servers", Message.IceServers.class),
          Map.entry("publish-key", Message.PublishKey.class),
          Map.entry("resume-token", Message.ResumeToken.class));

  // Nesting and string caps keep a hostile message from costing more than its (already capped)
  // size. Duplicate keys and trailing text are refused: a message must mean one thing
  // ("role":"viewer","role":"origin" does not).
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          // Opaque payloads (signal data, stats) are forwarded: 1e400 must stay 1e400, not become
          // "Infinity".
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(
              com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .serializationInclusion(JsonInclude.Include.NON_NULL)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(32)
                .maxStringLength(256 * 1024)
                .build());
  }

  private MessageCodec() {}

  /** The wire name of a message's type, e.g. {@code "child-joined"}. */
  public static String typeOf(Message message) {
    for (var e : TYPES.entrySet()) {
      if (e.getValue() == message.getClass()) {
        return e.getKey();
      }
    }
    throw new IllegalArgumentException("unregistered message class " + message.getClass());
  }

  public static String encode(Message message) {
    ObjectNode out = MAPPER.createObjectNode();
    out.put("v", VERSION);
    out.put("type", typeOf(message));
    out.setAll((ObjectNode) MAPPER.valueToTree(message));
    try {
      // Through MAPPER, not toString(): big decimals stay in exponent form (1E+400, not 401
      // digits).
      return MAPPER.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  public static Message decode(String text) throws ProtocolException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ProtocolException(
          ErrorCode.MALFORMED_JSON, "not valid JSON: " + firstLine(e.getOriginalMessage()));
    } catch (RuntimeException e) {
      // Jackson lets a few number errors through unwrapped (e.g. an exponent beyond BigDecimal's
      // range).
      throw new ProtocolException(
          ErrorCode.MALFORMED_JSON, "not valid JSON: " + firstLine(e.getMessage()));
    }
    if (tree == null || !tree.isObject()) {
      throw new ProtocolException(ErrorCode.MALFORMED_JSON, "a message must be a JSON object");
    }
    JsonNode v = tree.get("v");
    if (v == null || !v.isInt() || v.intValue() != VERSION) {
      throw new ProtocolException(
          ErrorCode.UNSUPPORTED_VERSION, "every message must carry \"v\":" + VERSION);
    }
    JsonNode type = tree.get("type");
    if (type == null || !type.isTextual()) {
      throw new ProtocolException(
          ErrorCode.INVALID_MESSAGE, "every message must carry a string \"type\"");
    }
    Class<? extends Message> cls = TYPES.get(type.textValue());
    if (cls == null) {
      throw new ProtocolException(
          ErrorCode.UNKNOWN_TYPE, "unknown message type '" + abbreviate(type.textValue()) + "'");
    }
    ObjectNode body = ((ObjectNode) tree).deepCopy();
    body.remove("v");
    body.remove("type");
    Message message;
    try {
      message = MAPPER.treeToValue(body, cls);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new ProtocolException(
          ErrorCode.INVALID_MESSAGE,
          "bad '" + type.textValue() + "' message: " + firstLine(e.getMessage()));
    }
    MessageRules.check(message);
    return message;
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() <= 160 ? line : line.substring(0, 160) + "…";
  }
}

package dev.waterfall.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * Fuzzes the signalling decoder: whatever arrives, {@link MessageCodec#decode} either yields a
 * message that re-encodes to itself, or throws {@link ProtocolException} with one of the documented
 * codes. Any other exception would reach the socket handler as a bug. Bounded tries and a fixed
 * seed: CI sees the same inputs every run; change {@link #SEED} to explore new ones (jqwik prints
 * the failing seed and sample, and shrinks it).
 */
class MessageCodecFuzzTest {
  static final String SEED = "20261121";
  private static final Set<ErrorCode> CODES =
      Set.of(
          ErrorCode.MALFORMED_JSON,
          ErrorCode.UNSUPPORTED_VERSION,
          ErrorCode.INVALID_MESSAGE,
          ErrorCode.UNKNOWN_TYPE);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> TYPES =
      List.of(
          "join",
          "resume",
          "welcome",
          "error",
          "signal",
          "heartbeat",
          "report",
          "leave",
          "reparent",
          "child-joined",
          "child-left",
          "ice-servers");
  private static final List<String> FIELDS =
      List.of(
          "stream",
          "role",
          "key",
          "upload",
          "uplinkKbps",
          "publicKey",
          "httpUrl",
          "nodeId",
          "resumeToken",
          "parent",
          "depth",
          "capacity",
          "resumed",
          "heartbeatIntervalMs",
          "iceServers",
          "fallbacks",
          "coordinators",
          "code",
          "message",
          "from",
          "to",
          "data",
          "stats",
          "about",
          "reason",
          "detail",
          "child",
          "urls",
          "username",
          "credential",
          "name",
          "bitrateKbps",
          "ingest",
          "rtmp",
          "whip",
          "nodeKey",
          "tokenAgeMs",
          "signature",
          "v",
          "type");

  @Property(tries = 1500, seed = SEED)
  void arbitraryText(@ForAll @StringLength(max = 400) String text) {
    decodesCleanly(text);
  }

  @Property(tries = 1000, seed = SEED)
  void arbitraryBytesAsTheSocketWouldDecodeThem(@ForAll @Size(max = 400) byte[] bytes) {
    decodesCleanly(new String(bytes, StandardCharsets.UTF_8));
    decodesCleanly(new String(bytes, StandardCharsets.ISO_8859_1));
  }

  @Property(tries = 1500, seed = SEED)
  void wellFormedJsonOfTheWrongShape(
      @ForAll("types") String type, @ForAll("objects") ObjectNode body) {
    body.put("v", 1);
    body.put("type", type);
    decodesCleanly(body.toString());
  }

  @Property(tries = 1500, seed = SEED)
  void validMessagesWithOneFieldMutated(
      @ForAll("messages") Message message,
      @ForAll("fields") String field,
      @ForAll("values") JsonNode value,
      @ForAll boolean remove)
      throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(MessageCodec.encode(message));
    if (remove) {
      tree.remove(field);
    } else {
      tree.set(field, value);
    }
    decodesCleanly(tree.toString());
  }

  @Property(tries = 500, seed = SEED)
  void validMessagesCutShortOrSpliced(
      @ForAll("messages") Message message,
      @ForAll @IntRange(max = 1000) int at,
      @ForAll @StringLength(max = 20) String splice) {
    String text = MessageCodec.encode(message);
    int i = at % (text.length() + 1);
    decodesCleanly(text.substring(0, i));
    decodesCleanly(text.substring(0, i) + splice + text.substring(i));
  }

  @Property(tries = 200, seed = SEED)
  void duplicateKeysAreRefused(
      @ForAll("messages") Message message, @ForAll("values") JsonNode second) {
    String text = MessageCodec.encode(message);
    // Keep the first field and repeat it: "a":1,...,"a":2 must not silently pick one of the two.
    String first = text.substring(1, text.indexOf(',') < 0 ? text.length() - 1 : text.indexOf(','));
    String key = first.substring(0, first.indexOf(':'));
    String doubled = text.substring(0, text.length() - 1) + "," + key + ":" + second + "}";
    assertThat(codeOf(doubled)).isEqualTo("malformed-json");
  }

  @Property(tries = 100, seed = SEED)
  void deepNestingIsRefusedWithoutOverflow(
      @ForAll @IntRange(min = 33, max = 20_000) int depth,
      @ForAll boolean arrays,
      @ForAll("types") String type) {
    String open = arrays ? "[" : "{\"a\":";
    String close = arrays ? "]" : "}";
    String text =
        "{\"v\":1,\"type\":\""
            + type
            + "\",\"data\":"
            + open.repeat(depth)
            + "1"
            + close.repeat(depth)
            + "}";
    assertThat(codeOf(text)).isEqualTo("malformed-json");
    // Unclosed nesting, as a truncated flood would send it.
    assertThat(codeOf(open.repeat(depth))).isEqualTo("malformed-json");
  }

  @Property(tries = 300, seed = SEED)
  void hugeAndOddNumbers(
      @ForAll("numbers") String number,
      @ForAll("numericFields") String field,
      @ForAll("messages") Message message)
      throws Exception {
    ObjectNode tree = (ObjectNode) JSON.readTree(MessageCodec.encode(message));
    String text = tree.toString();
    decodesCleanly(text.substring(0, text.length() - 1) + ",\"" + field + "\":" + number + "}");
    decodesCleanly("{\"v\":" + number + ",\"type\":\"leave\"}");
    // Opaque payloads are forwarded as parsed: they must survive re-encoding unchanged too.
    decodesCleanly("{\"v\":1,\"type\":\"signal\",\"to\":\"n\",\"data\":{\"x\":" + number + "}}");
    decodesCleanly("{\"v\":1,\"type\":\"heartbeat\",\"stats\":{\"x\":[" + number + "]}}");
  }

  @Property(tries = 200, seed = SEED)
  void unknownTypesGetTheirOwnCode(@ForAll @StringLength(max = 100) String type) {
    if (TYPES.contains(type)) {
      return;
    }
    ObjectNode body = NODES.objectNode().put("v", 1).put("type", type);
    assertThat(codeOf(body.toString())).isEqualTo("unknown-type");
  }

  /**
   * The whole contract: a message that round-trips, or a documented code with a bounded, human
   * message.
   */
  private static void decodesCleanly(String text) {
    Message decoded;
    try {
      decoded = MessageCodec.decode(text);
    } catch (ProtocolException e) {
      assertThat(e.errorCode()).isIn(CODES);
      // The message goes back to the client: explain, but never echo a huge input back.
      assertThat(e.getMessage()).isNotBlank().hasSizeLessThan(1024);
      return;
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("decode threw " + e + " for: " + abbreviate(text), e);
    }
    String encoded = MessageCodec.encode(decoded);
    Message again;
    try {
      again = MessageCodec.decode(encoded);
    } catch (ProtocolException e) {
      throw new AssertionError(
          "accepted "
              + decoded
              + " but its encoding "
              + encoded
              + " is refused: "
              + e.errorCode().wire(),
          e);
    }
    assertThat(MessageCodec.encode(again)).isEqualTo(encoded);
    // Opaque JSON may change number representation once (0.50 → 0.50 but 5E+1 ↔ 50), never its
    // value or text.
    if (!(decoded instanceof Message.Signal) && !(decoded instanceof Message.Heartbeat)) {
      assertThat(again).isEqualTo(decoded);
    }
    assertThat(encoded.length())
        .as("re-encoding never inflates a message much")
        .isLessThan(text.length() * 2 + 200);
  }

  private static String codeOf(String text) {
    try {
      MessageCodec.decode(text);
      return "accepted";
    } catch (ProtocolException e) {
      return e.errorCode().wire();
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…(" + s.length() + " chars)";
  }

  @Provide
  Arbitrary<String> types() {
    return Arbitraries.oneOf(Arbitraries.of(TYPES), Arbitraries.strings().ofMaxLength(20));
  }

  @Provide
  Arbitrary<String> fields() {
    return Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(10));
  }

  @Provide
  Arbitrary<String> numericFields() {
    return Arbitraries.of(
        "uplinkKbps", "depth", "capacity", "heartbeatIntervalMs", "bitrateKbps", "v");
  }

  @Provide
  Arbitrary<String> numbers() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "1e400",
            "-1e400",
            "1e-400",
            "-0",
            "0.0",
            "2147483648",
            "-2147483649",
            "9223372036854775808",
            "1.5",
            "NaN",
            "Infinity",
            "-Infinity",
            "0x10",
            "01",
            "+1",
            "1.",
            ".5",
            "1e",
            "--1",
            "1e2147483648",
            "1e-2147483649",
            "-1E+999999999",
            "0.1e-999999999",
            "1" + "0".repeat(999)),
        Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(5000),
        Arbitraries.bigIntegers().map(Object::toString),
        Arbitraries.doubles().map(Object::toString));
  }

  @Provide
  Arbitrary<JsonNode> values() {
    // Bounded depth: nesting beyond the codec's limit has its own property below.
    return Arbitraries.recursive(
        MessageCodecFuzzTest::scalars,
        inner ->
            Arbitraries.oneOf(
                inner,
                inner
                    .list()
                    .ofMaxSize(4)
                    .map(
                        items -> {
                          ArrayNode a = NODES.arrayNode();
                          items.forEach(a::add);
                          return (JsonNode) a;
                        }),
                objectsOf(inner).map(o -> (JsonNode) o)),
        0,
        4);
  }

  @Provide
  Arbitrary<ObjectNode> objects() {
    return objectsOf(values());
  }

  private Arbitrary<ObjectNode> objectsOf(Arbitrary<JsonNode> values) {
    return Combinators.combine(fields(), values)
        .as((k, v) -> new Object[] {k, v})
        .list()
        .ofMaxSize(6)
        .map(
            pairs -> {
              ObjectNode o = NODES.objectNode();
              for (Object[] p : pairs) {
                o.set((String) p[0], (JsonNode) p[1]);
              }
              return o;
            });
  }

  private static Arbitrary<JsonNode> scalars() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(30).map(NODES::textNode),
        Arbitraries.of(
                "viewer",
                "origin",
                "booster",
                "starving",
                "bad-data",
                "slow-child",
                "http://x",
                "AAAA")
            .map(NODES::textNode),
        Arbitraries.integers().map(NODES::numberNode),
        Arbitraries.longs().map(NODES::numberNode),
        Arbitraries.bigIntegers()
            .between(java.math.BigInteger.TEN.pow(30).negate(), java.math.BigInteger.TEN.pow(30))
            .map(NODES::numberNode),
        Arbitraries.doubles().map(NODES::numberNode),
        Arbitraries.of(true, false).map(NODES::booleanNode),
        Arbitraries.just(NODES.nullNode()));
  }

  @Provide
  Arbitrary<Message> messages() {
    Arbitrary<String> ids = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(20);
    Arbitrary<String> texts = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<Integer> small = Arbitraries.integers().between(0, 100_000);
    Arbitrary<Message> joins =
        Combinators.combine(
                ids,
                Arbitraries.of("viewer", "booster", "origin"),
                ids.injectNull(0.5),
                Arbitraries.of(true, false).injectNull(0.3),
                small.injectNull(0.5))
            .as(Message.Join::new);
    Arbitrary<Message> resumes = Combinators.combine(ids, ids, ids).as(Message.Resume::new);
    Arbitrary<Message> welcomes =
        Combinators.combine(
                ids,
                ids.injectNull(0.2),
                small,
                small,
                ids,
                Arbitraries.of(true, false),
                Arbitraries.longs().between(100, 600_000))
            .as(
                (id, parent, depth, cap, token, resumed, hb) ->
                    new Message.Welcome(
                        id,
                        parent,
                        depth,
                        cap,
                        token,
                        resumed,
                        hb,
                        List.of(new Message.IceServer(List.of("stun:example.org"), null, null)),
                        new Message.StreamInfo(id, 3000, 4, false, null),
                        List.of("http://127.0.0.1:8090"),
                        null,
                        List.of("http://127.0.0.1:8080", "https://c2.example.org")));
    Arbitrary<Message> errors = Combinators.combine(ids, texts).as(Message.Error::new);
    Arbitrary<Message> signals =
        Combinators.combine(ids.injectNull(0.5), ids, texts)
            .as(
                (from, to, sdp) ->
                    new Message.Signal(from, to, NODES.objectNode().put("sdp", sdp)));
    Arbitrary<Message> heartbeats =
        Combinators.combine(small.injectNull(0.5), small)
            .as((up, n) -> new Message.Heartbeat(up, NODES.objectNode().put("bytesFromParent", n)));
    Arbitrary<Message> reports =
        Combinators.combine(
                ids, Arbitraries.of("starving", "bad-data", "slow-child"), texts.injectNull(0.5))
            .as(Message.Report::new);
    Arbitrary<Message> simple =
        Arbitraries.oneOf(
            Arbitraries.just(new Message.Leave()),
            Combinators.combine(ids, small, texts).as(Message.Reparent::new),
            ids.map(Message.ChildJoined::new),
            ids.map(Message.ChildLeft::new),
            Combinators.combine(ids, texts)
                .as(
                    (user, credential) ->
                        new Message.IceServers(
                            List.of(
                                new Message.IceServer(
                                    List.of("turn:example.org:3478"), user, credential)))));
    List<Arbitrary<? extends Message>> all =
        new ArrayList<>(
            List.of(joins, resumes, welcomes, errors, signals, heartbeats, reports, simple));
    return Arbitraries.oneOf(all);
  }
}

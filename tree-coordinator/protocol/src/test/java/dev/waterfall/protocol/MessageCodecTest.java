package dev.waterfall.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Nested
  @DisplayName("round trips")
  class RoundTrips {
    @Test
    void everyTypeSurvivesEncodeDecode() throws Exception {
      var data = JSON.readTree("{\"sdp\":\"v=0\",\"kind\":\"offer\"}");
      List<Message> all =
          List.of(
              new Message.Join("demo", "viewer", null, false, 8000),
              new Message.Join(
                  "demo", "origin", "k", null, null, "MCowBQYDK2VwAyEA", "http://127.0.0.1:8090"),
              new Message.Join(
                  "demo",
                  "origin",
                  "k",
                  null,
                  null,
                  "MCowBQYDK2VwAyEA",
                  "http://127.0.0.1:8090",
                  null,
                  new Message.Ingest(
                      "rtmp://203.0.113.5:1935/live/demo", "https://203.0.113.5:8443/whip/demo")),
              new Message.Join(
                  "demo",
                  "origin",
                  "k",
                  null,
                  null,
                  null,
                  null,
                  null,
                  new Message.Ingest(null, null)),
              new Message.Resume("demo", "n1", "tok"),
              new Message.Resume("demo", "n1", "tok", 1),
              NodeKey.generate().resume("demo", "n1", "tok", 1234, 2),
              new Message.Join("demo", "viewer", null, true, 8000).withNodeKey("MCowBQYDK2VwAyEA"),
              new Message.Welcome(
                  "n1",
                  "n0",
                  3,
                  4,
                  "tok",
                  false,
                  2000,
                  List.of(new Message.IceServer(List.of("stun:example.org"), null, null)),
                  new Message.StreamInfo("demo", 3000, 4, false, "MCowBQYDK2VwAyEA"),
                  List.of("http://127.0.0.1:8090")),
              new Message.Welcome(
                  "n2",
                  "n0",
                  1,
                  2,
                  "tok",
                  false,
                  2000,
                  List.of(),
                  new Message.StreamInfo("talk", 1500, 2, false, null, "realtime"),
                  List.of()),
              new Message.Welcome(
                  "n3",
                  "n0",
                  1,
                  2,
                  "tok",
                  true,
                  2000,
                  List.of(),
                  new Message.StreamInfo("demo", 3000, 4, false, null),
                  List.of(),
                  null,
                  List.of("http://127.0.0.1:8080", "https://c2.example.org")),
              new Message.Error("unknown-stream", "no such stream"),
              new Message.Signal("a", "b", data),
              new Message.Heartbeat(9000, JSON.readTree("{\"bytesFromParent\":12}")),
              new Message.Report("p", "bad-data", "hash mismatch"),
              new Message.Leave(),
              new Message.Reparent("p2", 2, "parent-left"),
              new Message.ChildJoined("c"),
              new Message.ChildLeft("c"),
              new Message.IceServers(
                  List.of(
                      new Message.IceServer(List.of("stun:example.org"), null, null),
                      new Message.IceServer(
                          List.of("turn:example.org:3478?transport=udp"),
                          "1767225600:n1",
                          "c2VjcmV0"))),
              new Message.PublishKey("q1Xw8eRk1m0uH0PnZkq9Ypz9Gm4cVx7Ww3d2bYf0aZc"),
              new Message.Join("demo", "booster", "tok", null, null, null, null, null, null, 2));
      for (Message m : all) {
        assertThat(MessageCodec.decode(MessageCodec.encode(m))).isEqualTo(m);
      }
    }

    @Test
    void aPublishKeyMustBeAHashAndMaxChildrenInRange() {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> MessageCodec.decode("{\"v\":1,\"type\":\"publish-key\",\"keyHash\":\"short\"}"))
          .isInstanceOf(ProtocolException.class);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  MessageCodec.decode(
                      "{\"v\":1,\"type\":\"join\",\"stream\":\"s\",\"role\":\"booster\","
                          + "\"maxChildren\":65}"))
          .isInstanceOf(ProtocolException.class);
    }

    @Test
    void everyMessageCarriesVersionAndType() throws Exception {
      var tree = JSON.readTree(MessageCodec.encode(new Message.ChildJoined("c")));
      assertThat(tree.get("v").intValue()).isEqualTo(1);
      assertThat(tree.get("type").textValue()).isEqualTo("child-joined");
      assertThat(tree.get("child").textValue()).isEqualTo("c");
    }

    @Test
    void unknownFieldsAreIgnoredSoTheProtocolCanGrow() throws Exception {
      Message m = MessageCodec.decode("{\"v\":1,\"type\":\"leave\",\"why\":\"bored\"}");
      assertThat(m).isEqualTo(new Message.Leave());
    }

    @Test
    void anIceServersCredentialStaysOutOfToString() {
      var turn =
          new Message.IceServer(
              List.of("turn:example.org"), "1767225600:n1", "c2VjcmV0LWNyZWRlbnRpYWw=");
      assertThat(turn.toString())
          .contains("1767225600:n1")
          .doesNotContain("c2VjcmV0LWNyZWRlbnRpYWw=");
      assertThat(new Message.IceServers(List.of(turn)).toString())
          .doesNotContain("c2VjcmV0LWNyZWRlbnRpYWw=");
    }

    @Test
    void aResumeTokenStaysOutOfToString() {
      assertThat(new Message.Resume("demo", "n1", "owner.1767225600000.c2VjcmV0", 1).toString())
          .contains("n1")
          .doesNotContain("c2VjcmV0");
      assertThat(new Message.ResumeToken("owner.1767225600000.c2VjcmV0").toString())
          .doesNotContain("c2VjcmV0");
    }

    @Test
    void nullFieldsAreLeftOut() {
      assertThat(MessageCodec.encode(new Message.Join("demo", "viewer", null, null, null)))
          .isEqualTo("{\"v\":1,\"type\":\"join\",\"stream\":\"demo\",\"role\":\"viewer\"}");
    }
  }

  @Nested
  @DisplayName("bad input gets a code")
  class BadInput {
    private String codeOf(String text) {
      try {
        MessageCodec.decode(text);
        return "accepted";
      } catch (ProtocolException e) {
        assertThat(e.getMessage()).isNotBlank();
        return e.errorCode().wire();
      }
    }

    @Test
    void malformedJson() {
      assertThat(codeOf("{\"v\":1,")).isEqualTo("malformed-json");
      assertThat(codeOf("[1,2]")).isEqualTo("malformed-json");
      assertThat(codeOf("")).isEqualTo("malformed-json");
      assertThat(codeOf("42")).isEqualTo("malformed-json");
    }

    @Test
    void versionIsRequired() {
      assertThat(codeOf("{\"type\":\"leave\"}")).isEqualTo("unsupported-version");
      assertThat(codeOf("{\"v\":2,\"type\":\"leave\"}")).isEqualTo("unsupported-version");
      assertThat(codeOf("{\"v\":\"1\",\"type\":\"leave\"}")).isEqualTo("unsupported-version");
    }

    @Test
    void nodeKeysAndSignaturesMustBeShapedLikeThem() {
      String resume = "{\"v\":1,\"type\":\"resume\",\"stream\":\"s\",\"nodeId\":\"n\",";
      assertThat(codeOf(resume + "\"resumeToken\":\"t\",\"nodeKey\":\"not base64!\"}"))
          .isEqualTo("invalid-message");
      assertThat(
              codeOf(resume + "\"resumeToken\":\"t\",\"signature\":\"" + "A".repeat(200) + "\"}"))
          .isEqualTo("invalid-message");
      assertThat(codeOf(resume + "\"resumeToken\":\"t\",\"tokenAgeMs\":-1}"))
          .isEqualTo("invalid-message");
      assertThat(
              codeOf(
                  "{\"v\":1,\"type\":\"join\",\"stream\":\"s\",\"role\":\"viewer\","
                      + "\"nodeKey\":\""
                      + "A".repeat(200)
                      + "\"}"))
          .isEqualTo("invalid-message");
      // Unsigned is well-formed: the coordinator refuses it (bad-credential), not the codec.
      assertThat(codeOf(resume + "\"resumeToken\":\"t\"}")).isEqualTo("accepted");
    }

    @Test
    void typeMustBeKnown() {
      assertThat(codeOf("{\"v\":1}")).isEqualTo("invalid-message");
      assertThat(codeOf("{\"v\":1,\"type\":\"teleport\"}")).isEqualTo("unknown-type");
    }

    @Test
    void requiredFieldsAndEnums() {
      assertThat(codeOf("{\"v\":1,\"type\":\"join\",\"role\":\"viewer\"}"))
          .isEqualTo("invalid-message");
      assertThat(codeOf("{\"v\":1,\"type\":\"join\",\"stream\":\"d\",\"role\":\"king\"}"))
          .isEqualTo("invalid-message");
      assertThat(
              codeOf(
                  "{\"v\":1,\"type\":\"join\",\"stream\":\"d\",\"role\":\"viewer\",\"uplinkKbps\":-5}"))
          .isEqualTo("invalid-message");
      assertThat(codeOf("{\"v\":1,\"type\":\"join\",\"stream\":{},\"role\":\"viewer\"}"))
          .isEqualTo("invalid-message");
      assertThat(codeOf("{\"v\":1,\"type\":\"signal\",\"to\":\"x\",\"data\":\"sdp\"}"))
          .isEqualTo("invalid-message");
      assertThat(codeOf("{\"v\":1,\"type\":\"signal\",\"data\":{}}")).isEqualTo("invalid-message");
      assertThat(codeOf("{\"v\":1,\"type\":\"report\",\"about\":\"p\",\"reason\":\"meh\"}"))
          .isEqualTo("invalid-message");
      assertThat(
              codeOf(
                  "{\"v\":1,\"type\":\"join\",\"stream\":\"d\",\"role\":\"origin\",\"httpUrl\":\"ftp://x\"}"))
          .isEqualTo("invalid-message");
      assertThat(
              codeOf(
                  "{\"v\":1,\"type\":\"join\",\"stream\":\"d\",\"role\":\"origin\",\"publicKey\":\"not base64!\"}"))
          .isEqualTo("invalid-message");
      // An origin's ingest endpoints: URLs of the right scheme, or nothing.
      assertThat(
              codeOf(
                  "{\"v\":1,\"type\":\"join\",\"stream\":\"d\",\"role\":\"origin\","
                      + "\"ingest\":{\"rtmp\":\"http://x/live/d\"}}"))
          .isEqualTo("invalid-message");
      assertThat(
              codeOf(
                  "{\"v\":1,\"type\":\"join\",\"stream\":\"d\",\"role\":\"origin\","
                      + "\"ingest\":{\"whip\":\"rtmp://x/whip/d\"}}"))
          .isEqualTo("invalid-message");
      assertThat(
              codeOf(
                  "{\"v\":1,\"type\":\"join\",\"stream\":\"d\",\"role\":\"origin\","
                      + "\"ingest\":{\"rtmp\":\"rtmp://x/"
                      + "a".repeat(600)
                      + "\"}}"))
          .isEqualTo("invalid-message");
      assertThat(
              codeOf(
                  "{\"v\":1,\"type\":\"join\",\"stream\":\"d\",\"role\":\"origin\",\"ingest\":\"rtmp\"}"))
          .isEqualTo("invalid-message");
    }

    @Test
    void deepNestingIsRefused() {
      String deep =
          "{\"v\":1,\"type\":\"signal\",\"to\":\"x\",\"data\":"
              + "{\"a\":".repeat(100)
              + "1"
              + "}".repeat(100)
              + "}";
      assertThat(codeOf(deep)).isIn("malformed-json", "invalid-message");
    }

    @Property(tries = 2000)
    void arbitraryTextNeverEscapesAsAnythingButProtocolException(
        @ForAll @StringLength(max = 300) String text) {
      try {
        MessageCodec.decode(text);
      } catch (ProtocolException e) {
        assertThat(e.errorCode()).isNotNull();
      }
    }

    @Property(tries = 2000)
    void mangledValidMessagesAreAcceptedOrRefusedCleanly(@ForAll("cuts") int cut) {
      String valid = MessageCodec.encode(new Message.Join("demo", "viewer", "k", true, 5000));
      String mangled =
          valid.substring(0, Math.min(cut, valid.length()))
              + valid.substring(Math.min(cut + 3, valid.length()));
      assertThatThrownBy(
              () -> {
                MessageCodec.decode(mangled);
                throw new ProtocolException(ErrorCode.INVALID_MESSAGE, "accepted");
              })
          .isInstanceOf(ProtocolException.class);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Integer> cuts() {
      return net.jqwik.api.Arbitraries.integers().between(0, 80);
    }
  }
}

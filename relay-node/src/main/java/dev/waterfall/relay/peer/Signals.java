package dev.waterfall.relay.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code data} of a {@code signal} message between the two ends of a tree edge, parsed and
 * built here with no native code. The JSON shapes are what browsers' {@code
 * RTCSessionDescription.toJSON()} and {@code RTCIceCandidate.toJSON()} produce, so the same edges
 * connect Java relays and browsers:
 *
 * <pre>
 * {"type":"offer","sdp":"v=0…"}          {"type":"answer","sdp":"v=0…"}
 * {"candidate":"candidate:1 1 udp …","sdpMid":"0","sdpMLineIndex":0}   ("candidate":"" ends the trickle)
 * </pre>
 *
 * Signals come from the network, from a peer we do not trust: everything is checked here, in Java,
 * so a malformed one becomes an {@link IllegalArgumentException} with a clear message instead of
 * reaching libwebrtc.
 */
public final class Signals {

  /** The coordinator refuses larger messages anyway; a bigger SDP is not one our peers produce. */
  static final int MAX_SDP_CHARS = 60_000;

  static final int MAX_CANDIDATE_CHARS = 1_000;

  private Signals() {}

  /** A parsed signal: either a session description or one trickled ICE candidate. */
  public sealed interface Signal permits Description, Candidate {}

  /** {@code type} is {@code "offer"} or {@code "answer"} (the only ones a tree edge uses). */
  public record Description(String type, String sdp) implements Signal {
    public boolean isOffer() {
      return "offer".equals(type);
    }
  }

  /**
   * One ICE candidate. {@code sdpMid} is never null ("" when the peer gave only the index); {@code
   * sdpMLineIndex} is -1 when the peer gave only the mid. An empty {@code candidate} marks the end
   * of candidates: there is nothing to apply.
   */
  public record Candidate(String candidate, String sdpMid, int sdpMLineIndex) implements Signal {
    public boolean isEndOfCandidates() {
      return candidate.isEmpty();
    }
  }

  /**
   * Parses and validates a signal's {@code data}.
   *
   * @throws IllegalArgumentException naming what is wrong, for anything that is not a well-formed
   *     description or candidate
   */
  public static Signal parse(JsonNode data) {
    if (data == null || data.isNull() || data.isMissingNode()) {
      throw new IllegalArgumentException("signal data is missing");
    }
    if (!data.isObject()) {
      throw new IllegalArgumentException(
          "signal data must be a JSON object, got " + data.getNodeType());
    }
    boolean hasType = data.has("type") && !data.get("type").isNull();
    if (hasType) {
      return parseDescription(data);
    }
    if (data.has("candidate")) {
      return parseCandidate(data);
    }
    throw new IllegalArgumentException(
        "signal data must carry 'type' (offer or answer) or 'candidate'");
  }

  private static Description parseDescription(JsonNode data) {
    JsonNode type = data.get("type");
    if (!type.isTextual()) {
      throw new IllegalArgumentException("'type' must be a string, got " + type.getNodeType());
    }
    String t = type.asText();
    if (!t.equals("offer") && !t.equals("answer")) {
      throw new IllegalArgumentException(
          "'type' must be \"offer\" or \"answer\", got \"" + abbreviate(t) + "\"");
    }
    JsonNode sdp = data.get("sdp");
    if (sdp == null || sdp.isNull()) {
      throw new IllegalArgumentException("an " + t + " needs 'sdp'");
    }
    if (!sdp.isTextual()) {
      throw new IllegalArgumentException("'sdp' must be a string, got " + sdp.getNodeType());
    }
    String s = sdp.asText();
    if (!s.startsWith("v=0")) {
      throw new IllegalArgumentException(
          "'sdp' is not a session description (must start with \"v=0\")");
    }
    if (s.length() > MAX_SDP_CHARS) {
      throw new IllegalArgumentException(
          "'sdp' is too long: " + s.length() + " chars, at most " + MAX_SDP_CHARS);
    }
    return new Description(t, s);
  }

  private static Candidate parseCandidate(JsonNode data) {
    JsonNode c = data.get("candidate");
    if (!c.isTextual()) {
      throw new IllegalArgumentException("'candidate' must be a string, got " + c.getNodeType());
    }
    String candidate = c.asText();
    if (candidate.length() > MAX_CANDIDATE_CHARS) {
      throw new IllegalArgumentException(
          "'candidate' is too long: " + candidate.length() + " chars");
    }
    if (!candidate.isEmpty() && !candidate.startsWith("candidate:")) {
      throw new IllegalArgumentException("'candidate' must start with \"candidate:\"");
    }
    JsonNode mid = data.get("sdpMid");
    String sdpMid = "";
    if (mid != null && !mid.isNull()) {
      if (!mid.isTextual()) {
        throw new IllegalArgumentException(
            "'sdpMid' must be a string or null, got " + mid.getNodeType());
      }
      sdpMid = mid.asText();
    }
    JsonNode index = data.get("sdpMLineIndex");
    int sdpMLineIndex = -1;
    if (index != null && !index.isNull()) {
      if (!index.isIntegralNumber() || !index.canConvertToInt() || index.asInt() < 0) {
        throw new IllegalArgumentException(
            "'sdpMLineIndex' must be a non-negative integer or null, got " + index);
      }
      sdpMLineIndex = index.asInt();
    }
    // The browser's rule (RTCIceCandidate constructor): one of the two must say which m-line the
    // candidate is for.
    if (sdpMid.isEmpty() && sdpMLineIndex < 0) {
      throw new IllegalArgumentException("a candidate needs 'sdpMid' or 'sdpMLineIndex'");
    }
    return new Candidate(candidate, sdpMid, sdpMLineIndex);
  }

  /** {@code {"type":…,"sdp":…}}, as {@code RTCSessionDescription.toJSON()} would give. */
  public static ObjectNode toJson(Description description) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("type", description.type());
    node.put("sdp", description.sdp());
    return node;
  }

  /**
   * {@code {"candidate":…,"sdpMid":…,"sdpMLineIndex":…}}, as {@code RTCIceCandidate.toJSON()} would
   * give.
   */
  public static ObjectNode toJson(Candidate candidate) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("candidate", candidate.candidate());
    if (candidate.sdpMid().isEmpty()) {
      node.putNull("sdpMid");
    } else {
      node.put("sdpMid", candidate.sdpMid());
    }
    if (candidate.sdpMLineIndex() < 0) {
      node.putNull("sdpMLineIndex");
    } else {
      node.put("sdpMLineIndex", candidate.sdpMLineIndex());
    }
    return node;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}

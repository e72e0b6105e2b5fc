package dev.waterfall.relay.it;

import static dev.waterfall.relay.it.StreamRig.metric;
import static dev.waterfall.relay.it.StreamRig.segment;
import static dev.waterfall.relay.it.StreamRig.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.frame.FrameCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("malformed DataChannel messages from a parent")
class MalformedFramesIT {
  private static final String STREAM = "garbage";
  private static final int KINDS = 4;
  private static StreamRig rig;

  @BeforeAll
  static void start() throws Exception {
    rig = new StreamRig();
  }

  @AfterAll
  static void stop() {
    rig.close();
  }

  /*
   * Shape, a chain (maxChildren=1): origin → double → A → B. Only a parent's frames reach a node's store (what a
   * child sends is ignored unread), so the double has to be A's parent: it joins first, right under the origin,
   * relays the origin's frames verbatim and slips one garbage message in before every 10th of them. A must
   * count and drop the garbage, keep everything real, and B, fed by A, must not notice anything.
   */
  @Test
  @DisplayName("are counted and dropped; the relay keeps running and its child gets every segment intact")
  void garbageIsCountedAndDroppedAndTheSubtreeIsUnharmed() throws Exception {
    String key = rig.createStream(STREAM, 1);
    Relay origin = rig.origin(STREAM, key);
    Garbage garbage = new Garbage();
    LyingBooster parent = LyingBooster.join(rig, STREAM, garbage);
    Relay a = rig.booster(STREAM);
    Relay b = rig.booster(STREAM);
    assertThat(parentInTree(a.node().nodeId())).as("A sits under the double").isEqualTo(parent.nodeId());
    assertThat(parentInTree(b.node().nodeId())).as("B sits under A").isEqualTo(a.node().nodeId());

    // Every kind at least three times, and B holding segments that came after the garbage started.
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline && (garbage.sent.get() < 3 * KINDS
        || metric(a, "waterfall_relay_malformed_frames_total") < 3 * KINDS || sequences(b, STREAM).size() < 6)) {
      Thread.sleep(250);
    }

    assertThat(garbage.sent.get()).as("garbage messages sent").isGreaterThanOrEqualTo(3 * KINDS);
    assertThat(metric(a, "waterfall_relay_malformed_frames_total")).as("counted at A")
        .isGreaterThanOrEqualTo(3 * KINDS);
    // Garbage is neither mistaken for bad data (no report, no refetch) nor passed down.
    assertThat(metric(a, "waterfall_relay_verification_failures_total")).isZero();
    assertThat(metric(b, "waterfall_relay_malformed_frames_total")).isZero();
    assertThat(a.node().parentId()).as("A still takes the double's real frames").isEqualTo(parent.nodeId());
    assertThat(metric(b, "waterfall_relay_bytes_from_parent_total")).as("B is fed over the tree").isPositive();
    for (Relay relay : List.of(a, b)) {
      List<Long> held = sequences(relay, STREAM);
      assertThat(held).hasSizeGreaterThanOrEqualTo(6);
      for (long seq : held) {
        byte[] mine = segment(relay, STREAM, seq);
        byte[] theirs = segment(origin, STREAM, seq);
        assertThat(mine).as("segment %d at %s", seq, relay.node().nodeId()).isNotNull().hasSizeGreaterThan(1000);
        assertThat(Arrays.equals(mine, theirs)).as("segment %d identical at %s", seq, relay.node().nodeId()).isTrue();
      }
    }
  }

  /** Relays every frame, and before every 10th one of four kinds of garbage, in turn. */
  private static final class Garbage implements Function<byte[], List<byte[]>> {
    final AtomicLong sent = new AtomicLong();
    private final Random random = new Random(42);
    private long frames;
    private byte[] lastHeader;
    private long lastSequence;

    @Override
    public List<byte[]> apply(byte[] real) {
      Frame frame = FrameCodec.decode(real); // from the honest origin: always decodes
      if (frame instanceof Frame.Header h) {
        lastHeader = real;
        lastSequence = h.signed().sequence();
      }
      List<byte[]> out = new ArrayList<>(2);
      if (++frames % 10 == 0 && lastHeader != null) {
        out.add(junk((int) (sent.getAndIncrement() % KINDS)));
      }
      out.add(real);
      return out;
    }

    private byte[] junk(int kind) {
      switch (kind) {
        case 0 -> {
          // Random bytes; the version byte is forced wrong, or they could by chance be a valid (if useless) frame.
          byte[] bytes = new byte[1 + random.nextInt(2000)];
          random.nextBytes(bytes);
          bytes[0] = 0;
          return bytes;
        }
        case 1 -> {
          return Arrays.copyOf(lastHeader, lastHeader.length / 2); // a real header frame, cut short
        }
        case 2 -> {
          // A CHUNK of 70,000 bytes for the current segment: over the 64 KiB limit, so never stored.
          ByteBuffer b = ByteBuffer.allocate(2 + 8 + 2 + 70_000);
          b.put((byte) FrameCodec.VERSION).put((byte) 2).putLong(lastSequence).putShort((short) 0);
          return b.array();
        }
        default -> {
          byte[] bytes = new byte[32];
          random.nextBytes(bytes);
          bytes[0] = (byte) FrameCodec.VERSION;
          bytes[1] = (byte) 0x7F; // no such frame type
          return bytes;
        }
      }
    }
  }

  private static String parentInTree(String id) {
    for (JsonNode n : Http.json(rig.base + "/api/streams/" + STREAM + "/tree").get("nodes")) {
      if (id.equals(n.get("id").textValue())) {
        return n.get("parent").textValue();
      }
    }
    throw new AssertionError(id + " is not in the tree");
  }
}

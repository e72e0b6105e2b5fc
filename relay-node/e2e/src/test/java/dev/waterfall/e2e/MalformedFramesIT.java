package dev.waterfall.e2e;

import static dev.waterfall.e2e.StreamRig.metric;
import static dev.waterfall.e2e.StreamRig.segment;
import static dev.waterfall.e2e.StreamRig.sequences;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("malformed DataChannel messages from a parent")
class MalformedFramesIT {
  private static final String STREAM = "garbage";
  private static final int KINDS = 4;

  /**
   * Garbage messages the flood test waits to see dropped: ~20 s of it at 30 before each real frame.
   */
  private static final int FLOOD = 2000;

  @RegisterExtension static final StreamRig rig = StreamRig.perClass();

  /*
   * Shape, a chain (maxChildren=1): origin → double → A → B. Only a parent's frames reach a node's store (what a
   * child sends is ignored unread), so the double has to be A's parent: it joins first, right under the origin,
   * relays the origin's frames verbatim and slips one garbage message in before every 3rd of them (the stream makes ~3 frames a second). A must
   * count and drop the garbage, keep everything real, and B, fed by A, must not notice anything.
   */
  @Test
  @DisplayName(
      "are counted and dropped; the relay keeps running and its child gets every segment intact")
  void garbageIsCountedAndDroppedAndTheSubtreeIsUnharmed() throws Exception {
    String key = rig.createStream(STREAM, 1);
    Relay origin = rig.origin(STREAM, key);
    Garbage garbage = new Garbage();
    LyingBooster parent = LyingBooster.join(rig, STREAM, garbage);
    Relay a = rig.booster(STREAM);
    Relay b = rig.booster(STREAM);
    assertThat(parentInTree(a.node().nodeId()))
        .as("A sits under the double")
        .isEqualTo(parent.nodeId());
    assertThat(parentInTree(b.node().nodeId())).as("B sits under A").isEqualTo(a.node().nodeId());

    // Every kind at least three times, and B holding segments that came after the garbage started.
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline
        && (garbage.sent.get() < 3 * KINDS
            || metric(a, "waterfall_relay_malformed_frames_total") < 3 * KINDS
            || sequences(b, STREAM).size() < 6)) {
      Thread.sleep(250);
    }

    assertThat(garbage.sent.get()).as("garbage messages sent").isGreaterThanOrEqualTo(3 * KINDS);
    assertThat(metric(a, "waterfall_relay_malformed_frames_total"))
        .as("counted at A")
        .isGreaterThanOrEqualTo(3 * KINDS);
    // Garbage is neither mistaken for bad data (no report, no refetch) nor passed down.
    assertThat(metric(a, "waterfall_relay_verification_failures_total")).isZero();
    assertThat(metric(b, "waterfall_relay_malformed_frames_total")).isZero();
    assertThat(a.node().parentId())
        .as("A still takes the double's real frames")
        .isEqualTo(parent.nodeId());
    assertThat(metric(b, "waterfall_relay_bytes_from_parent_total"))
        .as("B is fed over the tree")
        .isPositive();
    for (Relay relay : List.of(a, b)) {
      List<Long> held = sequences(relay, STREAM);
      assertThat(held).hasSizeGreaterThanOrEqualTo(6);
      for (long seq : held) {
        byte[] mine = segment(relay, STREAM, seq);
        byte[] theirs = segment(origin, STREAM, seq);
        assertThat(mine)
            .as("segment %d at %s", seq, relay.node().nodeId())
            .isNotNull()
            .hasSizeGreaterThan(1000);
        assertThat(Arrays.equals(mine, theirs))
            .as("segment %d identical at %s", seq, relay.node().nodeId())
            .isTrue();
      }
    }
  }

  /** Relays every frame, and before every 3rd one of four kinds of garbage, in turn. */
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
      if (++frames % 3 == 0 && lastHeader != null) {
        out.add(junk((int) (sent.getAndIncrement() % KINDS)));
      }
      out.add(real);
      return out;
    }

    private byte[] junk(int kind) {
      switch (kind) {
        case 0 -> {
          // Random bytes; the version byte is forced wrong, or they could by chance be a valid (if
          // useless) frame.
          byte[] bytes = new byte[1 + random.nextInt(2000)];
          random.nextBytes(bytes);
          bytes[0] = 0;
          return bytes;
        }
        case 1 -> {
          return Arrays.copyOf(lastHeader, lastHeader.length / 2); // a real header frame, cut short
        }
        case 2 -> {
          // A CHUNK of 70,000 bytes for the current segment: over the 64 KiB limit, so never
          // stored.
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

  /*
   * The same chain, but the double floods: 30 garbage messages before every real frame (random bytes, real frames
   * cut short or with bytes flipped, unknown types, bad CONTROL JSON, oversized chunks), thousands in all. Only
   * garbage that does not decode is sent: well-formed lies are LyingBoosterIT's subject.
   */
  @Test
  @DisplayName(
      "a flood of thousands is counted and dropped, memory stays bounded, and the child is still served")
  void aFloodOfGarbage() throws Exception {
    String stream = "flood";
    String key = rig.createStream(stream, 1);
    Relay origin = rig.origin(stream, key);
    Flood flood = new Flood();
    LyingBooster parent = LyingBooster.join(rig, stream, flood);
    Relay a = rig.booster(stream);
    Relay b = rig.booster(stream);
    assertThat(parentInTree(stream, a.node().nodeId())).isEqualTo(parent.nodeId());
    assertThat(parentInTree(stream, b.node().nodeId())).isEqualTo(a.node().nodeId());
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline && sequences(b, stream).size() < 2) {
      Thread.sleep(250);
    }
    long heapBefore = usedHeapAfterGc();
    long sequencesBefore =
        sequences(b, stream).stream().mapToLong(Long::longValue).max().orElse(-1);
    flood.on = true;

    deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline
        && (metric(a, "waterfall_relay_malformed_frames_total") < FLOOD
            || sequences(b, stream).stream().filter(q -> q > sequencesBefore + 3).count() < 3)) {
      Thread.sleep(250);
    }
    flood.on = false;
    long heapAfter = usedHeapAfterGc();
    long counted = (long) metric(a, "waterfall_relay_malformed_frames_total");
    System.out.printf(
        "flood: %d garbage messages made, %d counted and dropped at A; heap after GC %d → %d MiB%n",
        flood.sent.get(), counted, heapBefore >> 20, heapAfter >> 20);

    assertThat(counted)
        .as("garbage counted at A")
        .isGreaterThanOrEqualTo(FLOOD)
        .isLessThanOrEqualTo(flood.sent.get());
    assertThat(metric(a, "waterfall_relay_verification_failures_total")).isZero();
    assertThat(metric(b, "waterfall_relay_malformed_frames_total"))
        .as("nothing passed down")
        .isZero();
    assertThat(a.node().parentId())
        .as("A kept its parent: garbage is not starvation")
        .isEqualTo(parent.nodeId());
    assertThat(heapAfter)
        .as("used heap after GC, before %d MiB", heapBefore >> 20)
        .isLessThan(heapBefore + (64L << 20));
    List<Long> during = sequences(b, stream).stream().filter(q -> q > sequencesBefore).toList();
    assertThat(during).as("segments B received during the flood").hasSizeGreaterThanOrEqualTo(3);
    for (long seq : during) {
      byte[] mine = segment(b, stream, seq);
      assertThat(mine).as("segment %d at B", seq).isNotNull().hasSizeGreaterThan(1000);
      assertThat(Arrays.equals(mine, segment(origin, stream, seq)))
          .as("segment %d identical at B", seq)
          .isTrue();
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    var memory = java.lang.management.ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** While {@code on}: 30 messages that do not decode before every real frame. */
  private static final class Flood implements Function<byte[], List<byte[]>> {
    final AtomicLong sent = new AtomicLong();
    volatile boolean on;
    private final Random random = new Random(7);

    @Override
    public List<byte[]> apply(byte[] real) {
      if (!on) {
        return List.of(real);
      }
      List<byte[]> out = new ArrayList<>(31);
      for (int i = 0; i < 30; i++) {
        out.add(junk(real));
        sent.incrementAndGet();
      }
      out.add(real);
      return out;
    }

    private byte[] junk(byte[] real) {
      byte[] candidate =
          switch (random.nextInt(7)) {
            case 0 -> Arrays.copyOf(real, random.nextInt(real.length));
            case 1 -> {
              byte[] b = real.clone();
              for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                b[random.nextInt(Math.min(b.length, 64))] ^= (byte) (1 + random.nextInt(255));
              }
              yield b;
            }
            case 2 -> {
              byte[] b = new byte[2 + random.nextInt(100)];
              random.nextBytes(b);
              b[0] = (byte) FrameCodec.VERSION;
              b[1] = (byte) (5 + random.nextInt(250)); // no such type
              yield b;
            }
            case 3 -> {
              byte[] json =
                  "{\"type\":\"note\","
                      .repeat(1 + random.nextInt(20))
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8);
              byte[] b = new byte[2 + json.length];
              b[0] = (byte) FrameCodec.VERSION;
              b[1] = (byte) 4;
              System.arraycopy(json, 0, b, 2, json.length);
              yield b;
            }
            case 4 ->
                random.nextInt(50) == 0
                    ? ByteBuffer.allocate(2 + 8 + 2 + 70_000)
                        .put((byte) FrameCodec.VERSION)
                        .put((byte) 2)
                        .array()
                    : new byte[] {(byte) FrameCodec.VERSION};
            default -> {
              byte[] b = new byte[1 + random.nextInt(1500)];
              random.nextBytes(b);
              yield b;
            }
          };
      try {
        FrameCodec.decode(candidate);
      } catch (dev.waterfall.relay.frame.FrameException expected) {
        return candidate;
      }
      byte[] b = new byte[1 + random.nextInt(1500)];
      random.nextBytes(b);
      b[0] = 0; // decoded by chance: send plain noise with a wrong version instead
      return b;
    }
  }

  private static String parentInTree(String id) {
    return parentInTree(STREAM, id);
  }

  private static String parentInTree(String stream, String id) {
    for (JsonNode n : Http.json(rig.base + "/api/streams/" + stream + "/tree").get("nodes")) {
      if (id.equals(n.get("id").textValue())) {
        return n.get("parent").textValue();
      }
    }
    throw new AssertionError(id + " is not in the tree");
  }
}

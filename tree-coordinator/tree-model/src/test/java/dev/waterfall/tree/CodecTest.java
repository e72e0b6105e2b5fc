package dev.waterfall.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Binary serialisation")
class CodecTest {

  static byte[] bytes(StreamTree tree) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    tree.writeTo(new DataOutputStream(buffer));
    return buffer.toByteArray();
  }

  static StreamTree read(byte[] data) throws IOException {
    return StreamTree.readFrom(new DataInputStream(new ByteArrayInputStream(data)));
  }

  private static StreamTree churned(long seed, int steps) {
    ChurnDriver driver =
        new ChurnDriver(seed, RepairStrategies.defaultStrategy(), ChurnDriver.Mix.MIXED, 600);
    driver.run(steps, false);
    return driver.tree();
  }

  @Test
  void roundTripKeepsEveryNodeAndItsOrder() throws IOException {
    StreamTree original = churned(7, 3000);
    original.setOwner(original.rootId(), "coord-1");
    StreamTree copy = read(bytes(original));
    copy.validate();
    assertThat(copy.breadthFirst()).isEqualTo(original.breadthFirst());
    assertThat(copy.stream()).isEqualTo(original.stream());
    assertThat(copy.bitrateKbps()).isEqualTo(original.bitrateKbps());
    assertThat(copy.maxChildren()).isEqualTo(original.maxChildren());
    assertThat(copy.createdAt()).isEqualTo(original.createdAt());
    assertThat(copy.nodesOwnedBy("coord-1")).isEqualTo(original.nodesOwnedBy("coord-1"));
  }

  @Test
  void roundTripKeepsDemotionAndTheLastReport() throws IOException {
    StreamTree original = Trees.of("o: a b", "a: a1 a2 a3", "b: b1 b2");
    TrustRule rule = TrustRule.DEFAULT.withWindowMs(10_000);
    original.reportStarving("a1", "a", 0, 100, rule);
    original.reportStarving("a2", "a", 0, 200, rule); // a second child of a: a is demoted
    original.reportStarving("b1", "b", 0, 300, rule); // one report about b
    original.reportStarving("b2", "b", 0.3, 310, rule); // a weak one: b loses a slot
    StreamTree copy = read(bytes(original));
    copy.validate();
    assertThat(bytes(copy)).isEqualTo(bytes(original));
    assertThat(copy.isDemoted("a")).isTrue();
    assertThat(copy.setCapacity("a", 4)).isEmpty(); // still a leaf, whatever its uplink shows
    assertThat(copy.node("a").capacity()).isZero();
    // The report about b came through: a second child's, on the copy, demotes b.
    assertThat(copy.isDemoted("b")).isFalse();
    assertThat(copy.ceiling("b")).isEqualTo(original.ceiling("b")).isLessThan(2);
    assertThat(copy.demotions("a")).isEqualTo(1);
    copy.setCapacity("b", 4); // b's uplink has room, but its reports left it fewer slots
    original.setCapacity("b", 4);
    assertThat(copy.node("b").capacity()).isEqualTo(copy.ceiling("b"));
    // Its bar ends on the copy as on the original: ten minutes and a quiet period later.
    long ends = copy.nextEarnAt("a", rule);
    assertThat(ends).isEqualTo(original.nextEarnAt("a", rule)).isGreaterThan(200 + 600_000);
    copy.setCapacity("a", 4, ends, rule);
    original.setCapacity("a", 4, ends, rule);
    assertThat(copy.isDemoted("a")).isFalse();
    assertThat(copy.node("a").capacity()).isEqualTo(1);
    assertThat(bytes(copy)).isEqualTo(bytes(original));
  }

  @Test
  void copyBehavesIdenticallyAfterwards() throws IOException {
    StreamTree original = churned(11, 2000);
    StreamTree copy = read(bytes(original));
    ChurnDriver a = ChurnDriver.continuing(original, 99, RepairStrategies.defaultStrategy());
    ChurnDriver b = ChurnDriver.continuing(copy, 99, RepairStrategies.defaultStrategy());
    a.run(1000, false);
    b.run(1000, false);
    assertThat(bytes(copy)).isEqualTo(bytes(original));
  }

  @Test
  void firstByteIsTheVersion() throws IOException {
    byte[] data = bytes(new StreamTree("s", "o", 4, 1000, 0));
    assertThat(data[0]).isEqualTo((byte) 3);
    data[0] = 1;
    assertThatThrownBy(() -> read(data))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("version");
  }

  @Test
  void everyTruncationIsRejected() throws IOException {
    byte[] data = bytes(churned(3, 200));
    for (int length = 0; length < data.length; length++) {
      byte[] cut = Arrays.copyOf(data, length);
      assertThatThrownBy(() -> read(cut)).as("length %d", length).isInstanceOf(IOException.class);
    }
  }

  @Test
  void flippedBytesYieldAValidTreeOrAnIOException() throws IOException {
    byte[] data = bytes(churned(5, 300));
    Random random = new Random(42);
    int rejected = 0;
    for (int trial = 0; trial < 3000; trial++) {
      byte[] bad = data.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bad[random.nextInt(bad.length)] ^= (byte) (1 + random.nextInt(255));
      }
      try {
        read(bad).validate();
      } catch (IOException expected) {
        rejected++;
      }
    }
    assertThat(rejected).isGreaterThan(1000);
  }

  @Test
  void hugeNodeCountFailsFastWithoutAllocating() throws IOException {
    byte[] data = bytes(new StreamTree("s", "o", 4, 1000, 0));
    // the node count is the last int of an empty tree's encoding
    data[data.length - 4] = 0x7f;
    data[data.length - 1] = (byte) 0xff;
    assertThatThrownBy(() -> read(data)).isInstanceOf(IOException.class);
  }
}

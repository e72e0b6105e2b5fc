package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.relay.frame.Frame;
import dev.waterfall.relay.segment.Chunker;
import dev.waterfall.relay.segment.TestSegments;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which lanes of an edge carry a frame: a chunk never goes on a lane before its segment's header
 * (each lane is ordered, the lanes are not ordered with each other), and chunks go where the queue
 * is shortest. The browser's rule (p2p/lanes.js, lanes.test.js) is the same.
 */
class LanesTest {

  /** A lane with a settable queue; lane 0 carries every segment. */
  private static final class FakeLane implements Lanes.Lane {
    final int index;
    long queued;
    boolean open = true;
    Long first;

    FakeLane(int index, long queued) {
      this.index = index;
      this.queued = queued;
      this.first = index == 0 ? Long.MIN_VALUE : null;
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public long buffered() {
      return queued;
    }

    @Override
    public Long firstSequence() {
      return first;
    }

    @Override
    public void firstSequence(long sequence) {
      first = sequence;
    }
  }

  private static Frame header(long seq) {
    return new Frame.Header(
        TestSegments.SIGNER.sign(
            new Chunker(65536)
                .describe(TestSegments.STREAM, seq, 2000, 1, false, 0, new byte[10])));
  }

  private static Frame chunk(long seq) {
    return new Frame.Chunk(seq, 0, new byte[] {1, 2, 3});
  }

  private static List<Integer> indexes(List<FakeLane> lanes) {
    return lanes.stream().map(l -> l.index).toList();
  }

  @Test
  void aHeaderGoesOnEveryOpenLaneAndMarksWhereANewLanesSegmentsBegin() {
    FakeLane closed = new FakeLane(2, 0);
    closed.open = false;
    List<FakeLane> lanes = List.of(new FakeLane(0, 0), new FakeLane(1, 0), closed);
    assertThat(indexes(Lanes.forFrame(lanes, header(7)))).containsExactly(0, 1);
    assertThat(lanes.get(1).first).isEqualTo(7);
    assertThat(closed.first).isNull();
    Lanes.forFrame(lanes, header(8));
    assertThat(lanes.get(1).first).isEqualTo(7);
  }

  @Test
  void aChunkGoesOnTheShortestQueueAmongTheLanesThatCarriedItsHeader() {
    List<FakeLane> lanes = List.of(new FakeLane(0, 5000), new FakeLane(1, 100));
    assertThat(indexes(Lanes.forFrame(lanes, chunk(6)))).containsExactly(0);
    Lanes.forFrame(lanes, header(7));
    assertThat(indexes(Lanes.forFrame(lanes, chunk(6)))).containsExactly(0);
    assertThat(indexes(Lanes.forFrame(lanes, chunk(7)))).containsExactly(1);
    lanes.get(1).queued = 9000;
    assertThat(indexes(Lanes.forFrame(lanes, chunk(7)))).containsExactly(0);
  }

  @Test
  void otherFramesGoOnLaneZeroAndNothingGoesWhenItIsClosed() {
    List<FakeLane> lanes = List.of(new FakeLane(0, 9000), new FakeLane(1, 0));
    Lanes.forFrame(lanes, header(3));
    Frame window = new Frame.Window(1, 3);
    assertThat(indexes(Lanes.forFrame(lanes, window))).containsExactly(0);
    assertThat(indexes(Lanes.forFrame(lanes, null))).as("a part or an ask").containsExactly(0);
    lanes.get(0).open = false;
    assertThat(Lanes.forFrame(lanes, window)).isEmpty();
    assertThat(Lanes.forFrame(lanes, null)).isEmpty();
  }

  @Test
  void signalsNameTheirLaneAndOutOfRangeLanesAreRefused() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(Lanes.of(json.readTree("{\"type\":\"offer\"}"))).isZero();
    assertThat(Lanes.of(json.readTree("{\"type\":\"offer\",\"lane\":2}"))).isEqualTo(2);
    assertThat(Lanes.of(json.readTree("{\"lane\":4}"))).isEqualTo(-1);
    assertThat(Lanes.of(json.readTree("{\"lane\":-1}"))).isEqualTo(-1);
    assertThat(Lanes.of(json.readTree("{\"lane\":\"1\"}"))).isEqualTo(-1);
  }
}

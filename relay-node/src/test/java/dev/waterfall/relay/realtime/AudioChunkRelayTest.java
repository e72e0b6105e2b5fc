package dev.waterfall.relay.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a booster's audio chunk relay")
class AudioChunkRelayTest {

  /** A child's channel in memory: open or not, with as much unsent as the test says. */
  static final class FakeSink implements AudioChunkRelay.Sink {
    final List<byte[]> sent = new ArrayList<>();
    boolean open = true;
    long buffered;
    boolean failing;

    @Override
    public boolean isOpen() {
      return open;
    }

    @Override
    public long bufferedAmount() {
      return buffered;
    }

    @Override
    public void send(byte[] message) throws Exception {
      if (failing) {
        throw new Exception("channel closed under us");
      }
      sent.add(message);
    }
  }

  private static byte[] chunk(long t) {
    return new AudioChunk(true, t, 20_000, 1, new byte[] {(byte) t, 2, 3}).encode();
  }

  @Test
  @DisplayName(
      "a corrupt message is counted and dropped; every child keeps receiving the good ones, verbatim")
  void corruptDropped() {
    AudioChunkRelay relay = new AudioChunkRelay();
    FakeSink a = new FakeSink();
    FakeSink b = new FakeSink();
    relay.addChild("a", a);
    relay.addChild("b", b);
    byte[] first = chunk(0);
    relay.fromParent(first);
    relay.fromParent(new byte[] {1, 9, 9}); // unknown type
    relay.fromParent(new byte[AudioChunk.MAX_MESSAGE + 10]); // oversized
    relay.fromParent(new byte[0]); // empty
    byte[] second = chunk(20_000);
    relay.fromParent(second);
    assertThat(relay.malformed()).isEqualTo(3);
    assertThat(relay.received()).isEqualTo(2);
    assertThat(relay.forwarded()).isEqualTo(4);
    for (FakeSink s : List.of(a, b)) {
      assertThat(s.sent).containsExactly(first, second); // the same arrays: forwarded as they came
    }
  }

  @Test
  @DisplayName(
      "a child that cannot take more loses its oldest chunks, counted; the others lose nothing")
  void backpressureDropsOldest() {
    AudioChunkRelay relay = new AudioChunkRelay();
    FakeSink slow = new FakeSink();
    FakeSink fast = new FakeSink();
    relay.addChild("slow", slow);
    relay.addChild("fast", fast);
    slow.buffered = AudioChunkRelay.MAX_BUFFERED; // full
    int n = AudioChunkRelay.QUEUE_CHUNKS + 5;
    for (int i = 0; i < n; i++) {
      relay.fromParent(chunk(i));
    }
    assertThat(fast.sent).hasSize(n);
    assertThat(slow.sent).isEmpty();
    assertThat(relay.dropped()).isEqualTo(5);
    slow.buffered = 0; // drained: it gets the newest QUEUE_CHUNKS, in order
    relay.drain();
    assertThat(slow.sent).hasSize(AudioChunkRelay.QUEUE_CHUNKS);
    assertThat(AudioChunk.decode(slow.sent.get(0)).timestampMicros()).isEqualTo(5);
    assertThat(AudioChunk.decode(slow.sent.get(AudioChunkRelay.QUEUE_CHUNKS - 1)).timestampMicros())
        .isEqualTo(n - 1);
  }

  @Test
  @DisplayName(
      "the lag from encoding to arrival is the median of the recent chunks, by the given clock")
  void lag() {
    long[] now = {1000};
    AudioChunkRelay relay = new AudioChunkRelay(() -> now[0]);
    assertThat(relay.medianLagMillis()).isNull();
    for (int lag : new int[] {5, 9, 7, 400, 6}) {
      now[0] = 1 + lag; // chunk(t) says encodedAt 1
      relay.fromParent(chunk(lag));
    }
    assertThat(relay.medianLagMillis()).isEqualTo(7);
  }

  @Test
  @DisplayName(
      "a channel not open yet holds chunks; one that fails is dropped without disturbing the others")
  void notOpenAndFailing() {
    AudioChunkRelay relay = new AudioChunkRelay();
    FakeSink opening = new FakeSink();
    FakeSink broken = new FakeSink();
    FakeSink fine = new FakeSink();
    opening.open = false;
    broken.failing = true;
    relay.addChild("opening", opening);
    relay.addChild("broken", broken);
    relay.addChild("fine", fine);
    relay.fromParent(chunk(1));
    assertThat(relay.children()).isEqualTo(2);
    opening.open = true;
    relay.fromParent(chunk(2));
    assertThat(opening.sent).hasSize(2);
    assertThat(fine.sent).hasSize(2);
    relay.removeChild(fine);
    relay.fromParent(chunk(3));
    assertThat(fine.sent).hasSize(2);
    assertThat(opening.sent).hasSize(3);
  }
}

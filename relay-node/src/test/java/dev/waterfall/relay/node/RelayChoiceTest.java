package dev.waterfall.relay.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.protocol.Message;
import dev.waterfall.relay.realtime.TrackRelay;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which relay a node runs, by its role, its store and the stream type its welcome names. */
@DisplayName("a node's choice of relay")
class RelayChoiceTest {
  private final StreamRelay hls = new NoRelay();
  private int made;

  private RelayChoice choice(boolean origin, StreamRelay hls) {
    return new RelayChoice(
        origin,
        "demo",
        hls,
        () -> {
          made++;
          return new TrackRelay(null, null, m -> {}); // never started: nothing native
        });
  }

  @Test
  void aBoosterWithAStoreRelaysHlsUntilAWelcomeNamesARealtimeStream() {
    RelayChoice c = choice(false, hls);
    assertThat(c.current()).isSameAs(hls);
    assertThat(c.atWelcome(false)).isSameAs(hls);
    assertThat(c.tracks()).isNull();
    assertThat(made).isZero();
  }

  @Test
  void aBoosterWelcomedToARealtimeStreamMakesItsTrackRelayOnce() {
    RelayChoice c = choice(false, hls);
    StreamRelay first = c.atWelcome(true);
    assertThat(first).isInstanceOf(TrackRelay.class).isSameAs(c.tracks()).isSameAs(c.current());
    assertThat(c.atWelcome(true)).isSameAs(first);
    assertThat(made).isEqualTo(1);
  }

  @Test
  void theFirstWelcomesChoiceStands() {
    RelayChoice c = choice(false, hls);
    c.atWelcome(false);
    assertThat(c.atWelcome(true)).as("a later welcome changes nothing").isSameAs(hls);
  }

  @Test
  void aWhipRootRelaysTracksAndRefusesAnHlsStream() {
    RelayChoice root = choice(true, null);
    TrackRelay tracks = root.tracksNow();
    assertThat(root.current()).isSameAs(tracks);
    assertThat(root.atWelcome(true)).isSameAs(tracks);

    RelayChoice refused = choice(true, null);
    refused.tracksNow();
    assertThatThrownBy(() -> refused.atWelcome(false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("WHIP feeds only a stream created with \"type\":\"realtime\"");
  }

  @Test
  void aNodeWithoutAStoreCannotRelayAnHlsStream() {
    assertThatThrownBy(() -> choice(false, null).atWelcome(false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("this node has no store");
    assertThat(choice(false, null).current()).isNull();
  }

  @Test
  void anHlsOriginNeverMakesATrackRelay() {
    RelayChoice c = choice(true, hls);
    assertThat(c.atWelcome(true)).as("an origin's relay is fixed by how it was made").isSameAs(hls);
    assertThat(made).isZero();
  }

  private static final class NoRelay implements StreamRelay {
    @Override
    public void welcome(Message.Welcome welcome) {}

    @Override
    public void message(Message message) {}

    @Override
    public void tick(long now) {}

    @Override
    public String parentId() {
      return null;
    }

    @Override
    public int children() {
      return 0;
    }

    @Override
    public void close() {}
  }
}

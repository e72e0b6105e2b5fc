package dev.waterfall.relay.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.MediaStreamTrack;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import dev.onvoid.webrtc.media.video.CustomVideoSource;
import dev.waterfall.relay.peer.ThreadCpu;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A booster's audio path with real libwebrtc DataChannels (in the failsafe network namespace): a
 * source sends 20 ms chunks (120 bytes, what Opus makes at 48 kbps) to a booster's parent edge as a
 * page would; the booster's {@link AudioChunkRelay} forwards them to its children's {@code
 * rt-audio} channels, all {@link TrackEdge}s on one Vert.x context as in {@link TrackRelay}.
 * Corrupt messages from the parent are dropped and counted while every child keeps receiving, byte
 * for byte what the source sent. Prints this JVM's CPU with 3 and 10 children; the children live in
 * this JVM too, so the per-child figure is the booster's send plus a child's receive (an upper
 * bound for the booster alone).
 */
@DisplayName("a Java booster forwards rt-audio chunks over real DataChannels")
class AudioRelayIT {
  private static final int CHUNK_MS = 20;
  private static final int WINDOW_S = ThreadCpu.window(15);

  /**
   * A child end (offers, receives chunks) and a parent end (answers, sends chunks on the adopted
   * channel).
   */
  private record Pair(TrackEdge child, TrackEdge parent) {}

  private static class Receiver implements TrackEdge.Events {
    final AtomicLong chunks = new AtomicLong();
    final AtomicLong notVerbatim = new AtomicLong();
    final AtomicLong lagSum = new AtomicLong();
    final Map<Long, byte[]> sent;

    Receiver(Map<Long, byte[]> sent) {
      this.sent = sent;
    }

    @Override
    public void flowing(TrackEdge edge) {}

    @Override
    public void closed(TrackEdge edge, String why) {}

    @Override
    public void audio(TrackEdge edge, byte[] m) {
      AudioChunk c;
      try {
        c = AudioChunk.decode(m);
      } catch (AudioChunk.Rejected e) {
        notVerbatim.incrementAndGet(); // a malformed message got through the booster
        return;
      }
      if (!Arrays.equals(sent.get(c.timestampMicros()), m)) {
        notVerbatim.incrementAndGet();
      }
      lagSum.addAndGet(System.currentTimeMillis() - c.encodedAtMillis());
      chunks.incrementAndGet();
    }
  }

  private Vertx vertx;
  private Context ctx;
  private PeerConnectionFactory factory;
  private ExecutorService teardown;

  /** The rt-audio channels' sends, as the factory's sender thread makes them. */
  private ExecutorService sends;

  private MediaStreamTrack placeholder;

  @Test
  @DisplayName(
      "source → booster → children: chunks arrive verbatim at every child; corrupt ones stop at the booster")
  void forwardsVerbatimAndDropsCorrupt() throws Exception {
    vertx = Vertx.vertx();
    ctx = vertx.getOrCreateContext();
    HeadlessAudioDeviceModule adm = new HeadlessAudioDeviceModule();
    factory = new PeerConnectionFactory(adm);
    teardown = Executors.newSingleThreadExecutor();
    sends = Executors.newSingleThreadExecutor();
    ScheduledExecutorService pump = Executors.newSingleThreadScheduledExecutor();
    List<Pair> pairs = new ArrayList<>();
    try {
      placeholder =
          onContext(() -> factory.createVideoTrack("recv-video", new CustomVideoSource()));
      AudioChunkRelay relay = new AudioChunkRelay();
      Map<Long, byte[]> sent = new ConcurrentHashMap<>();
      AtomicReference<AudioChannel> toBooster = new AtomicReference<>();

      // source ← booster: the booster's edge to its parent feeds the relay; the source adopts its
      // channel
      pairs.add(
          connect(
              "booster",
              "source",
              new Receiver(sent) {
                @Override
                public void audio(TrackEdge edge, byte[] m) {
                  relay.fromParent(m);
                }
              },
              new Receiver(sent) {
                @Override
                public void audioChannel(TrackEdge edge, AudioChannel channel) {
                  toBooster.set(channel);
                }
              }));
      Random random = new Random(6);
      AtomicLong t = new AtomicLong();
      pump.scheduleAtFixedRate(
          () ->
              ctx.runOnContext(
                  v -> {
                    AudioChannel ch = toBooster.get();
                    if (ch == null || !ch.isOpen()) {
                      return;
                    }
                    byte[] payload = new byte[120];
                    random.nextBytes(payload);
                    long ts = t.getAndAdd(CHUNK_MS * 1000);
                    byte[] m =
                        new AudioChunk(
                                true, ts, CHUNK_MS * 1000, System.currentTimeMillis(), payload)
                            .encode();
                    sent.put(ts, m);
                    send(ch, m);
                  }),
          0,
          CHUNK_MS,
          TimeUnit.MILLISECONDS);

      List<Receiver> children = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        children.add(addChild(relay, sent, pairs, i));
      }
      for (Receiver r : children) {
        waitFor(() -> r.chunks.get() >= 25, "a child receives chunks through the booster");
      }

      // Corrupt messages from the parent: unknown type, oversized, truncated.
      onContext(
          () -> {
            send(toBooster.get(), new byte[] {1, 9, 9});
            send(toBooster.get(), new byte[AudioChunk.MAX_MESSAGE + 100]);
            send(toBooster.get(), Arrays.copyOf(sent.get(0L), 10));
            return null;
          });
      waitFor(() -> relay.malformed() == 3, "the booster counts 3 malformed messages");
      long[] before = children.stream().mapToLong(r -> r.chunks.get()).toArray();
      Thread.sleep(1000);
      for (int i = 0; i < children.size(); i++) {
        assertThat(children.get(i).chunks.get())
            .as("child " + i + " keeps receiving")
            .isGreaterThan(before[i] + 25);
        assertThat(children.get(i).notVerbatim.get())
            .as("child " + i + " gets the source's bytes")
            .isZero();
      }

      Map<String, Long> three = ThreadCpu.over(WINDOW_S);
      for (int i = 3; i < 10; i++) {
        children.add(addChild(relay, sent, pairs, i));
      }
      for (Receiver r : children) {
        waitFor(() -> r.chunks.get() >= 25, "every child of ten receives chunks");
      }
      Map<String, Long> ten = ThreadCpu.over(WINDOW_S);
      double p3 = percent(three);
      double p10 = percent(ten);
      double childLag =
          children.stream()
              .mapToDouble(r -> (double) r.lagSum.get() / r.chunks.get())
              .average()
              .orElse(0);
      System.out.printf(
          "AudioRelayIT: JVM CPU, %d s windows, 50 chunks/s of 142 B: 3 children %.2f %%, 10 children"
              + " %.2f %% of a core → %.3f %% per added child (booster send + child receive); chunks %d received, %d"
              + " forwarded, %d dropped, %d malformed; median lag source→booster %d ms, source→child %.2f ms%n",
          WINDOW_S,
          p3,
          p10,
          (p10 - p3) / 7,
          relay.received(),
          relay.forwarded(),
          relay.dropped(),
          relay.malformed(),
          relay.medianLagMillis(),
          childLag);
      System.out.println("AudioRelayIT: by thread, 10 children " + top(ten));
      for (Receiver r : children) {
        assertThat(r.notVerbatim.get()).isZero();
      }
    } finally {
      pump.shutdownNow();
      onContext(
          () -> {
            for (Pair p : pairs) {
              p.child().close("test over");
              p.parent().close("test over");
            }
            return null;
          });
      teardown.shutdown();
      teardown.awaitTermination(20, TimeUnit.SECONDS);
      sends.shutdownNow();
      factory.dispose();
      adm.dispose();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private Receiver addChild(AudioChunkRelay relay, Map<Long, byte[]> sent, List<Pair> pairs, int i)
      throws Exception {
    Receiver r = new Receiver(sent);
    pairs.add(
        connect(
            "child-" + i,
            "booster",
            r,
            new Receiver(sent) {
              @Override
              public void audioChannel(TrackEdge edge, AudioChannel channel) {
                relay.addChild(edge.peerId, channel);
              }

              @Override
              public void closed(TrackEdge edge, String why) {
                if (edge.audioSink() != null) {
                  relay.removeChild(edge.audioSink());
                }
              }
            }));
    return r;
  }

  /**
   * Both ends of one edge, their signals passed to each other on the context (the coordinator's
   * part).
   */
  private Pair connect(
      String childName,
      String parentName,
      TrackEdge.Events childEvents,
      TrackEdge.Events parentEvents)
      throws Exception {
    TrackEdge[] ends = new TrackEdge[2];
    BiConsumer<String, ObjectNode> toParent =
        (to, data) -> ctx.runOnContext(v -> ends[1].signal(data));
    BiConsumer<String, ObjectNode> toChild =
        (to, data) -> ctx.runOnContext(v -> ends[0].signal(data));
    return onContext(
        () -> {
          // One wiring per end: each signals the other and reports its own events.
          BiFunction<BiConsumer<String, ObjectNode>, TrackEdge.Events, EdgeWiring> wiring =
              (signal, events) ->
                  new EdgeWiring(
                      factory,
                      new dev.onvoid.webrtc.RTCConfiguration(),
                      ctx,
                      teardown,
                      sends,
                      signal,
                      events);
          ends[1] = TrackEdge.toChild(childName, 0, wiring.apply(toChild, parentEvents));
          ends[0] =
              TrackEdge.toParent(parentName, wiring.apply(toParent, childEvents), placeholder);
          return new Pair(ends[0], ends[1]);
        });
  }

  private static void send(AudioChannel ch, byte[] m) {
    try {
      ch.send(m);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private <T> T onContext(java.util.concurrent.Callable<T> call) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    ctx.runOnContext(
        v -> {
          try {
            f.complete(call.call());
          } catch (Exception | Error e) {
            f.completeExceptionally(e);
          }
        });
    return f.get(10, TimeUnit.SECONDS);
  }

  private static void waitFor(java.util.function.BooleanSupplier c, String what)
      throws InterruptedException {
    long end = System.currentTimeMillis() + 15_000;
    while (!c.getAsBoolean()) {
      if (System.currentTimeMillis() > end) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(20);
    }
  }

  private static double percent(Map<String, Long> cpuMs) {
    return cpuMs.values().stream().mapToLong(Long::longValue).sum() / (WINDOW_S * 10.0);
  }

  private static String top(Map<String, Long> cpuMs) {
    StringBuilder b = new StringBuilder();
    cpuMs.entrySet().stream()
        .filter(e -> e.getValue() >= 10)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .forEach(
            e ->
                b.append(
                    String.format("%s %.2f %%, ", e.getKey(), e.getValue() / (WINDOW_S * 10.0))));
    return b.toString();
  }
}

package dev.waterfall.loadtest.latency;

import dev.waterfall.coordinator.Coordinator;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.loadtest.kit.relays.LocalCoordinator;
import dev.waterfall.loadtest.kit.relays.RelayRig;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.llhls.LlHlsOrigin;
import dev.waterfall.relay.llhls.LlSettings;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.FfmpegCommand;
import dev.waterfall.relay.source.FfmpegOptions;
import dev.waterfall.relay.source.IngestSource;
import dev.waterfall.relay.source.SampleSource;
import dev.waterfall.testkit.Closer;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real coordinator (embedded Hazelcast, serving /watch/… and /publish/…) and origins in this JVM
 * whose picture is the clock: classic HLS pushed by ffmpeg over the origin's HTTP PUT ingest, and
 * LL-HLS cut by the origin from ffmpeg's fragmented MP4, both encoded with the product's own
 * arguments. HTTP on 127.0.0.1, WebRTC on the namespace's veth address; every page comes from one
 * address, so the per-address limits are lifted.
 */
final class LatencyRig implements AutoCloseable {
  private static final String ADMIN = "loadtest-latency-admin-token-0123456789";
  final String base;
  private final Coordinator coordinator;
  private final Vertx vertx = Vertx.vertx();
  private final PeerFactory peers = new PeerFactory();
  private final Closer parts = new Closer();

  /** The current phase's origins and encoders. */
  private Closer phase = new Closer();

  private final int fps;
  private final Path logs;

  LatencyRig(boolean verbose, int fps, Path logs) throws Exception {
    if (!verbose) {
      RelayRig.quiet();
    }
    this.fps = fps;
    this.logs = logs;
    coordinator = LocalCoordinator.start(ADMIN, "latency", true, Map.of());
    base = "http://127.0.0.1:" + coordinator.port();
    parts.add(coordinator::stop);
    parts.add(vertx::close);
    parts.add(peers);
  }

  /** A stream (mode "realtime", or null: HLS); its publish key. */
  String stream(String name, int maxChildren, String mode) throws Exception {
    StreamCatalog.Spec spec =
        mode == null
            ? new StreamCatalog.Spec(name, 1000, maxChildren, null)
            : new StreamCatalog.Spec(name, 1000, maxChildren, null, mode);
    return coordinator.createStream(spec).publishKey();
  }

  /** The origin of an HLS stream taking the clock's 2 s segments by PUT, as ffmpeg pushes them. */
  Relay classicOrigin(String stream, String key) throws Exception {
    IngestSource ingest = new IngestSource(stream, key, System.currentTimeMillis() / 2000);
    Relay origin =
        add(
            Relay.startOrigin(
                vertx,
                peers,
                new Relay.Options(List.of(base), stream, key, "127.0.0.1", 0, null),
                SegmentSigner.generate(),
                ingest,
                ingest::mount));
    String url = "http://127.0.0.1:" + origin.httpPort() + ingest.playlistPath();
    add(
        ClockEncoder.start(
            FfmpegCommand.hlsPutArgs(
                FfmpegOptions.DEFAULT_SEGMENT_SECONDS,
                null,
                FfmpegOptions.DEFAULT_AUDIO_BITRATE,
                url,
                key),
            fps,
            logs.resolve("ffmpeg-" + stream + ".log")));
    return origin;
  }

  /**
   * The origin of an HLS stream whose LL-HLS is the clock (its classic segments the sample, which
   * no page here plays).
   */
  Relay llOrigin(String stream, String key) throws Exception {
    SegmentSigner signer = SegmentSigner.generate();
    long firstMsn = System.currentTimeMillis() / 2000;
    ClockCmafSource clock =
        add(ClockCmafSource.start(fps, logs.resolve("ffmpeg-" + stream + ".log")));
    LlHlsOrigin ll = add(new LlHlsOrigin(stream, clock, LlSettings.DEFAULT, firstMsn, signer));
    ll.start();
    return add(
        Relay.startOrigin(
            vertx,
            peers,
            new Relay.Options(List.of(base), stream, key, "127.0.0.1", 0, null),
            signer,
            SampleSource.fromClasspath(firstMsn),
            r -> {},
            null,
            null,
            ll));
  }

  /** The origin of a realtime stream published over WHIP (the tracks it receives are the root). */
  Relay whipOrigin(String stream, String key) throws Exception {
    return add(
        Relay.startWhipOrigin(
            vertx, peers, new Relay.Options(List.of(base), stream, key, "127.0.0.1", 0, null)));
  }

  private <T extends AutoCloseable> T add(T part) {
    phase.add(part);
    return part;
  }

  /** Stops this phase's origins and encoders, so the next phase has the cores to itself. */
  void endPhase() {
    phase.close();
    phase = new Closer();
  }

  /** The origins and encoders, then the peer factory, Vert.x and the coordinator. */
  @Override
  public void close() {
    endPhase();
    parts.close();
  }
}

package dev.waterfall.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.relay.realtime.TrackStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What this node has moved and refused, for heartbeats (the coordinator's dashboard) and for
 * /metrics. Written on the node's context; read by the metrics scrape from any thread (longs, torn
 * reads harmless).
 */
final class NodeStats {
  volatile long bytesFromParent;
  volatile long bytesByFallback;
  volatile long verificationFailures;
  volatile long malformedFrames;
  volatile long segmentsComplete;
  volatile long parentChanges;
  volatile double bufferSeconds;

  /**
   * The candidate types carrying the parent link (e.g. relay/host: through TURN); null while
   * unknown.
   */
  volatile dev.waterfall.relay.peer.CandidatePair parentCandidatePair;

  /**
   * What this node's HTTP server has served (segments, chunks, headers, playlists); 0 without one.
   */
  volatile LongSupplier httpBytesServed = () -> 0;

  /**
   * A booster in a realtime stream: its media tracks' counters, refreshed on the node's context
   * (null in an HLS stream). Then heartbeats and the meters tell of media tracks, not of the idle
   * HLS forwarder.
   */
  volatile TrackStats realtime;

  /**
   * What the uplink was seen to carry lately (kbit/s, UplinkMeter, refreshed each tick); 0 while
   * unknown.
   */
  volatile long uplinkKbps;

  /**
   * The previous heartbeat's figures, for its rates: [millis, frames from parent, frames sent, CPU
   * ns].
   */
  private final long[] previous = new long[4];

  /** How far behind the origin headers and whole segments reach this node; null until bound. */
  private volatile Timer headersBehind;

  private volatile Timer segmentsBehind;

  /** {@code forwarder}: the HLS relay's (null on a node that relays tracks only). */
  void bind(MeterRegistry registry, Forwarder forwarder) {
    headersBehind = behindOrigin(registry, "header");
    segmentsBehind = behindOrigin(registry, "complete");
    FunctionCounter.builder(
            "waterfall.relay.bytes.from.parent",
            this,
            s -> s.realtime != null ? s.realtime.bytesFromParent() : s.bytesFromParent)
        .description("Bytes received from the parent over the DataChannel (realtime: RTP)")
        .register(registry);
    FunctionCounter.builder("waterfall.relay.bytes.fallback", this, s -> s.bytesByFallback)
        .description("Bytes fetched over HTTP because the parent did not deliver them in time")
        .register(registry);
    FunctionCounter.builder(
            "waterfall.relay.bytes.sent",
            this,
            s -> s.realtime != null ? s.realtime.bytesSent() : sent(forwarder))
        .description("Bytes sent to children over DataChannels (realtime: RTP)")
        .register(registry);
    FunctionCounter.builder(
            "waterfall.relay.realtime.frames.from.parent",
            this,
            s -> s.realtime != null ? s.realtime.framesFromParent() : 0)
        .description("Realtime: video frames received (decoded) from the parent")
        .register(registry);
    FunctionCounter.builder(
            "waterfall.relay.realtime.frames.sent",
            this,
            s -> s.realtime != null ? s.realtime.framesSent() : 0)
        .description("Realtime: video frames encoded for children (one encode per child)")
        .register(registry);
    FunctionCounter.builder(
            "waterfall.relay.http.bytes.served", this, s -> s.httpBytesServed.getAsLong())
        .description("Bytes served over HTTP (HLS and fallback fetches)")
        .register(registry);
    FunctionCounter.builder(
            "waterfall.relay.verification.failures", this, s -> s.verificationFailures)
        .description("Headers or chunks that failed signature or hash checks")
        .register(registry);
    FunctionCounter.builder("waterfall.relay.malformed.frames", this, s -> s.malformedFrames)
        .description("DataChannel messages that were not valid frames")
        .register(registry);
    FunctionCounter.builder("waterfall.relay.segments.complete", this, s -> s.segmentsComplete)
        .description("Segments held complete and verified")
        .register(registry);
    FunctionCounter.builder(
            "waterfall.relay.frames.skipped",
            this,
            s -> forwarder == null ? 0 : forwarder.framesSkipped)
        .description("Frames not sent to a child whose queue was full (it heals them over HTTP)")
        .register(registry);
    Gauge.builder(
            "waterfall.relay.children",
            this,
            s -> s.realtime != null ? s.realtime.children().size() : childCount(forwarder))
        .description("Children connected")
        .register(registry);
    Gauge.builder("waterfall.relay.buffer.seconds", this, s -> s.bufferSeconds)
        .description("Seconds of complete segments held")
        .register(registry);
    Gauge.builder("waterfall.relay.uplink.measured.kbps", this, s -> s.uplinkKbps)
        .description(
            "What this node's uplink was seen to carry lately (kbit/s; 0: not measured yet), by the"
                + " pages' rule; for the operator (a booster's slots stay its own)")
        .register(registry);
  }

  /**
   * Percentiles rather than a histogram: an operator (and the field lab) reads the p50 and p95 of
   * the last minutes straight off /metrics.
   */
  private static Timer behindOrigin(MeterRegistry registry, String stage) {
    return Timer.builder("waterfall.relay.behind.origin")
        .description(
            "How long after the origin produced a segment its header (stage=header) or its last"
                + " chunk (stage=complete) reached this node, by the origin's clock (so it includes"
                + " the clocks' offset)")
        .tag("stage", stage)
        .publishPercentiles(0.5, 0.95)
        .distributionStatisticExpiry(Duration.ofMinutes(2))
        .register(registry);
  }

  /** A header of a segment the origin produced at {@code producedAt} was stored at {@code now}. */
  void headerArrived(long producedAt, long now) {
    record(headersBehind, now - producedAt);
  }

  /**
   * The last chunk of a segment the origin produced at {@code producedAt} was stored at {@code
   * now}.
   */
  void segmentCompleted(long producedAt, long now) {
    record(segmentsBehind, now - producedAt);
  }

  private static void record(Timer timer, long millis) {
    if (timer != null) {
      timer.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The heartbeat's stats (called once per heartbeat, on the node's context: the rates span two
   * calls).
   */
  JsonNode toJson(Forwarder forwarder) { // null: as bind's
    long now = System.currentTimeMillis();
    long cpu = processCpuNanos();
    double seconds = previous[0] == 0 ? 0 : (now - previous[0]) / 1000.0;
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    if (seconds > 0 && cpu >= 0) {
      // The process's, i.e. every relay of this JVM (one in production), libwebrtc's native threads
      // included.
      o.put("cpuPercent", Math.round((cpu - previous[3]) / 1e7 / seconds * 10) / 10.0);
    }
    previous[0] = now;
    previous[3] = cpu;
    TrackStats rt = realtime;
    if (rt != null) {
      return realtimeJson(o, rt, seconds);
    }
    o.put("bytesFromParent", bytesFromParent);
    o.put("bytesByFallback", bytesByFallback);
    o.put("verificationFailures", verificationFailures);
    o.put("malformedFrames", malformedFrames);
    o.put("bufferSeconds", Math.round(bufferSeconds * 10) / 10.0);
    putPercentiles(o, "headerBehind", headersBehind);
    putPercentiles(o, "segmentBehind", segmentsBehind);
    dev.waterfall.relay.peer.CandidatePair pair = parentCandidatePair;
    if (pair != null) {
      o.put("parentCandidatePair", pair.toString());
    }
    // The origin's two are its egress: the dashboard's offload is 1 - egress / all bytes delivered.
    o.put("bytesSentToChildren", sent(forwarder));
    o.put("httpBytesServed", httpBytesServed.getAsLong());
    ObjectNode perChild = o.putObject("bytesSentPerChild");
    if (forwarder != null) {
      forwarder.children().forEach(c -> perChild.put(c.peerId, c.bytesOut));
    }
    return o;
  }

  /**
   * {@code <name>P50Ms} and {@code <name>P95Ms} of the last minutes, for the dashboard: how far
   * behind the origin this relay holds the stream; nothing before the first segment.
   */
  private static void putPercentiles(ObjectNode o, String name, Timer timer) {
    if (timer == null || timer.count() == 0) {
      return;
    }
    for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
      String key = name + "P" + Math.round(v.percentile() * 100) + "Ms";
      o.put(key, Math.round(v.value(TimeUnit.MILLISECONDS)));
    }
  }

  /** What the HLS forwarder sent (0 on a node that relays tracks only: no forwarder). */
  private static long sent(Forwarder forwarder) {
    return forwarder == null ? 0 : forwarder.bytesSent();
  }

  private static int childCount(Forwarder forwarder) {
    return forwarder == null ? 0 : forwarder.children().size();
  }

  /**
   * A realtime booster's heartbeat: what its media tracks moved (RTP bytes from the parent and to
   * each child, video frames received and encoded per child) and the frame rates since the previous
   * heartbeat. No bufferSeconds: there is no buffer, and the dashboard would call it low.
   */
  private JsonNode realtimeJson(ObjectNode o, TrackStats rt, double seconds) {
    o.put("realtime", true);
    o.put("bytesFromParent", rt.bytesFromParent());
    o.put("bytesByFallback", 0);
    o.put("framesFromParent", rt.framesFromParent());
    o.put("bytesSentToChildren", rt.bytesSent());
    o.put("framesSentToChildren", rt.framesSent());
    if (seconds > 0) {
      o.put(
          "fps",
          Math.round(Math.max(0, rt.framesFromParent() - previous[1]) / seconds * 10) / 10.0);
      o.put(
          "framesSentPerSecond",
          Math.round(Math.max(0, rt.framesSent() - previous[2]) / seconds * 10) / 10.0);
    }
    previous[1] = rt.framesFromParent();
    previous[2] = rt.framesSent();
    ObjectNode bytes = o.putObject("bytesSentPerChild");
    ObjectNode frames = o.putObject("framesSentPerChild");
    rt.children()
        .forEach(
            (id, c) -> {
              bytes.put(id, c.bytes());
              frames.put(id, c.frames());
            });
    o.put("httpBytesServed", httpBytesServed.getAsLong());
    return o;
  }

  /** CPU time of this process so far, or -1 where the JVM does not say. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }
}

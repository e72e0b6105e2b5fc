package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.JoinBatch;
import dev.waterfall.loadtest.report.Latency;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What one join batch measured, frozen: it adds up over client processes (counts summed, histograms
 * added, the batch spanning the first start to the last welcome; {@code System.nanoTime} is
 * CLOCK_MONOTONIC on Linux, one clock for every process on the machine) and crosses a pipe as JSON.
 */
record JoinOutcome(
    int requested,
    int joined,
    Map<String, Long> failures,
    long startedNanos,
    long lastSettledNanos,
    long heartbeatIntervalMs,
    Histogram joinToWelcome,
    Histogram connectToWelcome) {

  static JoinOutcome of(JoinBatch b) {
    Map<String, Long> f = new TreeMap<>();
    b.failures.forEach((k, v) -> f.put(k, v.sum()));
    return new JoinOutcome(
        b.count,
        b.joined.get(),
        f,
        b.started,
        b.lastSettled.get(),
        b.heartbeatIntervalMs,
        b.joinLatencies(),
        b.connectLatencies());
  }

  /** One batch from several processes' parts; an empty list gives an empty batch. */
  static JoinOutcome merge(List<JoinOutcome> parts) {
    Histogram join = Latency.histogram();
    Histogram connect = Latency.histogram();
    Map<String, Long> failures = new TreeMap<>();
    int requested = 0;
    int joined = 0;
    long started = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long interval = 0;
    for (JoinOutcome p : parts) {
      requested += p.requested;
      joined += p.joined;
      p.failures.forEach((k, v) -> failures.merge(k, v, Long::sum));
      if (p.requested > 0) {
        started = Math.min(started, p.startedNanos);
        last = Math.max(last, p.lastSettledNanos);
      }
      interval = Math.max(interval, p.heartbeatIntervalMs);
      join.add(p.joinToWelcome);
      connect.add(p.connectToWelcome);
    }
    if (started == Long.MAX_VALUE) {
      started = 0;
      last = 0;
    }
    return new JoinOutcome(requested, joined, failures, started, last, interval, join, connect);
  }

  /** First connect to last outcome. */
  long nanos() {
    return Math.max(0, lastSettledNanos - startedNanos);
  }

  long joinsPerSecond() {
    return Latency.perSecond(joined, nanos());
  }

  /** The report's form of a batch. */
  ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("requested", requested);
    o.put("joined", joined);
    o.putPOJO("failures", failures);
    o.put("seconds", Math.round(nanos() / 1e6) / 1e3);
    o.put("joinsPerSecond", joinsPerSecond());
    o.set("joinToWelcome", Latency.summary(joinToWelcome, Latency.Unit.MILLIS));
    o.set("connectToWelcome", Latency.summary(connectToWelcome, Latency.Unit.MILLIS));
    return o;
  }

  /** The pipe's form: everything, histograms compressed and base64-encoded. */
  ObjectNode toWire() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("requested", requested);
    o.put("joined", joined);
    failures.forEach(o.putObject("failures")::put);
    o.put("startedNanos", startedNanos);
    o.put("lastSettledNanos", lastSettledNanos);
    o.put("heartbeatIntervalMs", heartbeatIntervalMs);
    o.put("joinToWelcome", encode(joinToWelcome));
    o.put("connectToWelcome", encode(connectToWelcome));
    return o;
  }

  static JoinOutcome fromWire(JsonNode o) {
    Map<String, Long> failures = new TreeMap<>();
    o.path("failures")
        .fields()
        .forEachRemaining(e -> failures.put(e.getKey(), e.getValue().asLong()));
    return new JoinOutcome(
        o.get("requested").asInt(),
        o.get("joined").asInt(),
        failures,
        o.get("startedNanos").asLong(),
        o.get("lastSettledNanos").asLong(),
        o.get("heartbeatIntervalMs").asLong(),
        decode(o.get("joinToWelcome").asText()),
        decode(o.get("connectToWelcome").asText()));
  }

  static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), n));
  }

  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("undecodable histogram from a client process", e);
    }
  }
}

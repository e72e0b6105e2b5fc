package dev.waterfall.relay.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;

/**
 * What this node has moved and refused, for heartbeats (the coordinator's dashboard) and for /metrics.
 * Written on the node's context; read by the metrics scrape from any thread (longs, torn reads harmless).
 */
final class NodeStats {
  volatile long bytesFromParent;
  volatile long bytesByFallback;
  volatile long verificationFailures;
  volatile long malformedFrames;
  volatile long segmentsComplete;
  volatile long parentChanges;
  volatile double bufferSeconds;
  /** What this node's HTTP server has served (segments, chunks, headers, playlists); 0 without one. */
  volatile LongSupplier httpBytesServed = () -> 0;

  void bind(MeterRegistry registry, Forwarder forwarder) {
    FunctionCounter.builder("waterfall.relay.bytes.from.parent", this, s -> s.bytesFromParent)
        .description("Bytes received from the parent over the DataChannel").register(registry);
    FunctionCounter.builder("waterfall.relay.bytes.fallback", this, s -> s.bytesByFallback)
        .description("Bytes fetched over HTTP because the parent did not deliver them in time").register(registry);
    FunctionCounter.builder("waterfall.relay.bytes.sent", forwarder, Forwarder::bytesSent)
        .description("Bytes sent to children over DataChannels").register(registry);
    FunctionCounter.builder("waterfall.relay.http.bytes.served", this, s -> s.httpBytesServed.getAsLong())
        .description("Bytes served over HTTP (HLS and fallback fetches)").register(registry);
    FunctionCounter.builder("waterfall.relay.verification.failures", this, s -> s.verificationFailures)
        .description("Headers or chunks that failed signature or hash checks").register(registry);
    FunctionCounter.builder("waterfall.relay.malformed.frames", this, s -> s.malformedFrames)
        .description("DataChannel messages that were not valid frames").register(registry);
    FunctionCounter.builder("waterfall.relay.segments.complete", this, s -> s.segmentsComplete)
        .description("Segments held complete and verified").register(registry);
    FunctionCounter.builder("waterfall.relay.frames.skipped", forwarder, f -> f.framesSkipped)
        .description("Frames not sent to a child whose queue was full (it heals them over HTTP)").register(registry);
    Gauge.builder("waterfall.relay.children", forwarder, f -> f.children().size())
        .description("Children connected").register(registry);
    Gauge.builder("waterfall.relay.buffer.seconds", this, s -> s.bufferSeconds)
        .description("Seconds of complete segments held").register(registry);
  }

  JsonNode toJson(Forwarder forwarder) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("bytesFromParent", bytesFromParent);
    o.put("bytesByFallback", bytesByFallback);
    o.put("verificationFailures", verificationFailures);
    o.put("malformedFrames", malformedFrames);
    o.put("bufferSeconds", Math.round(bufferSeconds * 10) / 10.0);
    // The origin's two are its egress: the dashboard's offload is 1 - egress / all bytes delivered.
    o.put("bytesSentToChildren", forwarder.bytesSent());
    o.put("httpBytesServed", httpBytesServed.getAsLong());
    ObjectNode perChild = o.putObject("bytesSentPerChild");
    forwarder.children().forEach(c -> perChild.put(c.peerId, c.bytesOut));
    return o;
  }
}

package dev.waterfall.relay.realtime;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.RTCConfiguration;
import io.vertx.core.Context;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * What every {@link TrackEdge} of one relay is made with: the factory and ICE configuration, the
 * node's context (where its callbacks run), the teardown and rt-audio send executors (off the
 * context), where its signals go out, and who hears its events.
 */
record EdgeWiring(
    PeerConnectionFactory factory,
    RTCConfiguration config,
    Context context,
    Executor teardown,
    Executor sends,
    BiConsumer<String, ObjectNode> signalOut,
    TrackEdge.Events events) {}

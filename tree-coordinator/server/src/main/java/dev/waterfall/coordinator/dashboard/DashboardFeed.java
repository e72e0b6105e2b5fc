package dev.waterfall.coordinator.dashboard;

import dev.waterfall.coordinator.cluster.TreeStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's live feed, {@code GET /api/streams/<stream>/dashboard} as Server-Sent Events.
 * Once a second per watched stream (not per subscriber) it reads the tree and asks every
 * coordinator of the cluster, over the event bus, for its {@link MemberReport} of that stream; the
 * merged {@link Snapshot} goes to every subscriber of this coordinator. Nothing is computed or
 * written while nobody watches, and heartbeats only keep a reference. Runs on the coordinator's
 * event loop.
 */
public final class DashboardFeed {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);
  static final long TICK_MS = 1000;

  /** A member that does not answer within this is left out of that frame (its nodes show grey). */
  private static final long ASK_TIMEOUT_MS = 800;

  /**
   * Subscribers per coordinator: each is one open HTTP response; beyond this the feed answers 503.
   */
  public static final int MAX_SUBSCRIBERS = 1000;

  private final Vertx vertx;
  private final TreeStore trees;
  private final Supplier<Collection<String>> members;
  private final Clock clock;
  private final MessageConsumer<String> consumer;
  private final Map<String, Channel> channels = new HashMap<>();
  private int subscribers;

  public DashboardFeed(
      Vertx vertx,
      TreeStore trees,
      Supplier<Collection<String>> members,
      String self,
      Function<String, List<LocalNode>> localNodes,
      Incidents incidents,
      Clock clock) {
    this.vertx = vertx;
    this.trees = trees;
    this.members = members;
    this.clock = clock;
    this.consumer =
        vertx
            .eventBus()
            .<String>consumer(
                address(self),
                m -> {
                  long now = clock.millis();
                  String stream = m.body();
                  m.reply(
                      MemberReport.build(
                          self,
                          localNodes.apply(stream),
                          incidents.flags(stream, now),
                          incidents.repairs(stream, now)));
                });
  }

  static String address(String member) {
    return "waterfall.dashboard." + member;
  }

  /**
   * Starts streaming {@code stream}'s snapshots to this response; false (nothing written) when
   * full.
   */
  public boolean subscribe(String stream, HttpServerResponse response) {
    if (subscribers >= MAX_SUBSCRIBERS) {
      return false;
    }
    subscribers++;
    response
        .setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .putHeader("X-Content-Type-Options", "nosniff");
    response.write("retry: 3000\n\n");
    Channel channel = channels.get(stream);
    if (channel == null) {
      channel = new Channel(stream);
      channels.put(stream, channel);
      Channel c = channel;
      channel.timer = vertx.setPeriodic(1, TICK_MS, t -> tick(c));
    } else if (channel.last != null) {
      response.write(channel.last);
    }
    channel.subscribers.add(response);
    Channel c = channel;
    response.closeHandler(v -> drop(c, response));
    response.exceptionHandler(e -> drop(c, response));
    return true;
  }

  private void drop(Channel channel, HttpServerResponse response) {
    if (channel.subscribers.remove(response)) {
      subscribers--;
    }
    if (channel.subscribers.isEmpty() && channels.get(channel.stream) == channel) {
      vertx.cancelTimer(channel.timer);
      channels.remove(channel.stream);
    }
  }

  private void tick(Channel channel) {
    if (channel.busy) {
      return; // the previous frame is still being gathered: skip rather than pile up
    }
    channel.busy = true;
    List<String> asked = new ArrayList<>(members.get());
    trees
        .snapshot(channel.stream)
        .compose(
            tree ->
                tree == null
                    ? Future.succeededFuture(null)
                    : gather(channel.stream, asked)
                        .map(
                            reports ->
                                Snapshot.build(
                                    channel.stream, tree, reports, asked, clock.millis())))
        .onComplete(
            ar -> {
              channel.busy = false;
              if (ar.failed()) {
                LOG.debug(
                    "dashboard frame of '{}' failed: {}", channel.stream, ar.cause().toString());
              } else if (ar.result() == null) {
                close(
                    channel,
                    "event: gone\ndata: "
                        + new JsonObject()
                            .put("error", "unknown-stream")
                            .put("message", "stream '" + channel.stream + "' no longer exists")
                            .encode()
                        + "\n\n");
              } else {
                channel.last = "event: snapshot\ndata: " + ar.result().encode() + "\n\n";
                for (HttpServerResponse r : List.copyOf(channel.subscribers)) {
                  // a slow reader skips frames instead of piling them up here
                  if (!r.writeQueueFull()) {
                    r.write(channel.last);
                  }
                }
              }
            });
  }

  private Future<List<JsonObject>> gather(String stream, List<String> asked) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS);
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (String member : asked) {
      replies.add(
          vertx
              .eventBus()
              .<JsonObject>request(address(member), stream, options)
              .map(m -> m.body())
              .otherwise((JsonObject) null));
    }
    return Future.all(replies)
        .map(all -> replies.stream().map(Future::result).filter(Objects::nonNull).toList());
  }

  private void close(Channel channel, String lastWords) {
    vertx.cancelTimer(channel.timer);
    channels.remove(channel.stream, channel);
    for (HttpServerResponse r : List.copyOf(channel.subscribers)) {
      channel.subscribers.remove(r);
      subscribers--;
      if (!r.closed() && !r.ended()) {
        if (lastWords != null) {
          r.write(lastWords);
        }
        r.end();
      }
    }
  }

  /** Ends every subscriber's response: the coordinator is stopping. */
  public void stop() {
    consumer.unregister();
    List.copyOf(channels.values()).forEach(c -> close(c, null));
  }

  private static final class Channel {
    final String stream;
    final Set<HttpServerResponse> subscribers = new LinkedHashSet<>();
    long timer;
    String last;
    boolean busy;

    Channel(String stream) {
      this.stream = stream;
    }
  }
}

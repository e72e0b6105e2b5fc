package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.waterfall.coordinator.support.RawSocket;
import dev.waterfall.coordinator.support.TestCoordinator;
import dev.waterfall.coordinator.support.TestNode;
import dev.waterfall.coordinator.support.TreeView;
import dev.waterfall.protocol.Message;
import dev.waterfall.protocol.MessageCodec;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * 10,000 random, malformed and oversized messages over {@code /ws} from several sockets at once,
 * while an origin and two viewers stay joined. Every message must earn an {@code error}, or its
 * socket a close with a clear code; the coordinator must keep its heap, its tree and its
 * well-behaved nodes.
 */
@DisplayName("a hostile client gets errors and closed sockets; everyone else carries on")
class HostileClientTest {
  private static final int MESSAGES = 10_000;
  private static final int SOCKETS = 6;
  private static final long SEED = 20261121L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * 1008 policy (bad credential, flooding), 1009 too big, 1006 dropped unread above the hard frame
   * cap.
   */
  private static final List<Short> CLEAR_CLOSES = List.of((short) 1008, (short) 1009, (short) 1006);

  @Test
  void tenThousandBadMessages() throws Exception {
    // A generous message rate so the decoder, not the rate limiter, sees most of the input.
    try (TestCoordinator c =
        TestCoordinator.start(
            Map.of("signalling.messagesPerSecond", "2000", "signalling.messageBurst", "400"))) {
      Vertx vertx = Vertx.vertx();
      try {
        String key = c.createStream("calm");
        TestNode origin = TestNode.join(vertx, c.baseUrl, "calm", "origin", key);
        TestNode a = TestNode.join(vertx, c.baseUrl, "calm", "viewer", null);
        TestNode b = TestNode.join(vertx, c.baseUrl, "calm", "viewer", null);
        TreeView before = TreeView.fetch(c.rest, "calm").assertValid();
        long heapBefore = usedHeapAfterGc();

        Map<String, Integer> codes = new ConcurrentHashMap<>();
        Map<Short, Integer> closes = new ConcurrentHashMap<>();
        LongAdder sent = new LongAdder();
        LongAdder answered = new LongAdder();
        LongAdder cutOff = new LongAdder();
        AtomicInteger budget = new AtomicInteger(MESSAGES);
        ExecutorService pool = Executors.newFixedThreadPool(SOCKETS);
        List<Future<?>> workers = new ArrayList<>();
        long started = System.nanoTime();
        for (int w = 0; w < SOCKETS; w++) {
          Hostile hostile = new Hostile(new Random(SEED + w), key);
          workers.add(
              pool.submit(
                  () -> {
                    RawSocket s = RawSocket.connect(vertx, c.baseUrl);
                    while (true) {
                      int batch = Math.min(1 + hostile.random.nextInt(16), budget.get());
                      if (batch <= 0 || budget.addAndGet(-batch) < 0) {
                        break;
                      }
                      for (int i = 0; i < batch; i++) {
                        hostile.sendOne(s);
                      }
                      sent.add(batch);
                      // Each message earns one answer, unless the server closed the socket (then
                      // the rest go unread).
                      int got = 0;
                      long deadline = System.currentTimeMillis() + 15_000;
                      while (got < batch
                          && !(s.isClosed() && s.pending() == 0)
                          && System.currentTimeMillis() < deadline) {
                        JsonNode m = s.next(50);
                        if (m != null) {
                          got++;
                          assertThat(m.path("type").asText()).as(m.toString()).isEqualTo("error");
                          assertThat(m.path("code").asText()).isNotBlank();
                          assertThat(m.path("message").asText()).isNotBlank();
                          codes.merge(m.path("code").asText(), 1, Integer::sum);
                        }
                      }
                      answered.add(got);
                      if (got < batch) {
                        assertThat(s.awaitClosed(5000))
                            .as(
                                "%d of %d messages unanswered on an open socket",
                                batch - got, batch)
                            .isTrue();
                        assertThat(s.closeCode()).isIn(CLEAR_CLOSES);
                        closes.merge(s.closeCode(), 1, Integer::sum);
                        cutOff.add(batch - got);
                        s = RawSocket.connect(vertx, c.baseUrl);
                      }
                    }
                    s.close();
                    return null;
                  }));
        }
        for (Future<?> f : workers) {
          f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - started) / 1e9;

        long heapAfter = usedHeapAfterGc();
        System.out.printf(
            "hostile: %d messages in %.1f s, %d answered with error, %d unread after a close;"
                + " closes %s; codes %s; heap after GC %d → %d MiB%n",
            sent.sum(),
            seconds,
            answered.sum(),
            cutOff.sum(),
            closes,
            codes,
            heapBefore >> 20,
            heapAfter >> 20);
        assertThat(sent.sum()).isEqualTo(MESSAGES);
        assertThat(answered.sum() + cutOff.sum()).isEqualTo(MESSAGES);
        assertThat(codes.keySet())
            .contains(
                "malformed-json",
                "invalid-message",
                "unknown-type",
                "too-large",
                "not-joined",
                "bad-credential",
                "binary-not-supported");
        assertThat(heapAfter)
            .as("used heap after GC, before %d MiB", heapBefore >> 20)
            .isLessThan(heapBefore + (96L << 20));

        // The well-behaved nodes kept their places, the tree is whole, and they still talk.
        TreeView after = TreeView.fetch(c.rest, "calm").assertValid();
        assertThat(after.nodes).isEqualTo(before.nodes);
        for (TestNode viewer : List.of(a, b)) {
          assertThat(viewer.isClosed()).isFalse();
          TestNode parent =
              viewer.welcome.parent().equals(origin.id()) ? origin : viewer == a ? b : a;
          viewer.send(new Message.Signal(null, parent.id(), JSON.readTree("{\"sdp\":\"offer\"}")));
          assertThat(
                  parent.awaitMatching(
                      m -> m instanceof Message.Signal s && s.from().equals(viewer.id()),
                      10_000,
                      "signal from " + viewer.id()))
              .isNotNull();
          parent.send(new Message.Signal(null, viewer.id(), JSON.readTree("{\"sdp\":\"answer\"}")));
          assertThat(viewer.await(Message.Signal.class).from()).isEqualTo(parent.id());
        }
        assertThat(Health.sessions(c)).as("only the three calm nodes hold sockets").isEqualTo(3);
        origin.close();
        a.close();
        b.close();
      } finally {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** Sessions the coordinator reports, once the hostile sockets' closes have been processed. */
  private static final class Health {
    static int sessions(TestCoordinator c) throws InterruptedException {
      int sessions = -1;
      for (int i = 0; i < 100; i++) {
        JsonNode h = c.rest.get("/health").json();
        sessions = h.path("sessions").asInt();
        if (sessions == 3) {
          break;
        }
        Thread.sleep(50);
      }
      return sessions;
    }
  }

  /** Makes up one bad message at a time; a fixed seed per socket makes a failure reproducible. */
  private static final class Hostile {
    private static final String JSONISH = "{}[]\":,\\ 0123456789.eEtruefalsnul";
    final Random random;
    private final String publishKey;
    private final List<String> valid;

    Hostile(Random random, String publishKey) {
      this.random = random;
      this.publishKey = publishKey;
      var data = JSON.createObjectNode().put("sdp", "v=0");
      this.valid =
          List.of(
              MessageCodec.encode(new Message.Join("nope", "viewer", null, true, 5000)),
              MessageCodec.encode(new Message.Resume("calm", "n1", "forged")),
              MessageCodec.encode(new Message.Signal(null, "n1", data)),
              MessageCodec.encode(new Message.Heartbeat(900, data)),
              MessageCodec.encode(new Message.Report("n1", "bad-data", "x")),
              MessageCodec.encode(new Message.Leave()),
              MessageCodec.encode(new Message.Reparent("n1", 1, "because")));
    }

    void sendOne(RawSocket s) {
      int kind = random.nextInt(100);
      if (kind < 3) {
        byte[] b = new byte[random.nextInt(2000)];
        random.nextBytes(b);
        s.sendBinary(b);
      } else if (kind < 18) {
        s.send(randomText(random.nextInt(300)));
      } else if (kind < 35) {
        String v = pick();
        s.send(v.substring(0, random.nextInt(v.length())));
      } else if (kind < 60) {
        s.send(mutated());
      } else if (kind < 66) {
        int depth = 33 + random.nextInt(3000);
        s.send(
            "{\"v\":1,\"type\":\"signal\",\"to\":\"x\",\"data\":"
                + "[".repeat(depth)
                + "]".repeat(depth)
                + "}");
      } else if (kind < 70) {
        // Oversized: over the 64 KiB limit (an error), rarely over the 256 KiB frame cap (the
        // socket is cut).
        int size = random.nextInt(20) == 0 ? 300_000 : 70_000 + random.nextInt(100_000);
        s.send("{\"v\":1,\"type\":\"heartbeat\",\"stats\":{\"pad\":\"" + "x".repeat(size) + "\"}}");
      } else if (kind < 74) {
        s.send(
            "{\"v\":1,\"type\":\"join\",\"stream\":\"calm\",\"role\":\"join\",\"role\":\"viewer\"}");
      } else if (kind < 78) {
        s.send("{\"v\":1,\"type\":\"" + randomText(8).replace("\"", "") + "\"}");
      } else if (kind < 80) {
        // Wrong credentials are refused and the socket closed.
        s.send(
            MessageCodec.encode(
                new Message.Join(
                    "calm",
                    random.nextBoolean() ? "origin" : "booster",
                    publishKey.substring(1),
                    null,
                    null)));
      } else if (kind < 83) {
        s.send(
            "{\"v\":1,\"type\":\"heartbeat\",\"uplinkKbps\":1e"
                + random.nextInt(1_000_000_000)
                + "}");
      } else {
        s.send(pick());
      }
    }

    private String pick() {
      return valid.get(random.nextInt(valid.size()));
    }

    private String mutated() {
      try {
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(pick());
        List<String> fields = new ArrayList<>();
        tree.fieldNames().forEachRemaining(fields::add);
        String field = fields.get(random.nextInt(fields.size()));
        switch (random.nextInt(6)) {
          case 0 -> tree.remove(field);
          case 1 -> tree.put(field, random.nextLong());
          case 2 -> tree.put(field, randomText(random.nextInt(50)));
          case 3 -> tree.putArray(field).add(random.nextDouble());
          case 4 -> tree.putObject(field).put("x", (String) null);
          default -> tree.put(field, new java.math.BigDecimal("1e" + random.nextInt(5000)));
        }
        return tree.toString();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }

    private String randomText(int length) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < length; i++) {
        int r = random.nextInt(10);
        sb.append(
            r < 6
                ? JSONISH.charAt(random.nextInt(JSONISH.length()))
                : r < 9 ? (char) (32 + random.nextInt(95)) : (char) random.nextInt(0xD800));
      }
      return sb.toString();
    }
  }
}

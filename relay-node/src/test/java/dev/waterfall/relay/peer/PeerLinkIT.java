package dev.waterfall.relay.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real libwebrtc peers in one JVM, signals passed directly. Runs under failsafe inside the
 * network namespace made by src/test/netns/netns-java (libwebrtc gathers no loopback candidates).
 */
class PeerLinkIT {

  private static final int CHUNK = 64 * 1024;
  private static final long HIGH_WATER = 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static PeerFactory factory;

  @BeforeAll
  static void start() {
    factory = new PeerFactory();
  }

  @AfterAll
  static void stop() {
    factory.close();
  }

  /** A child (offerer) and a parent (answerer) wired to each other. */
  private record Pair(
      PeerLink child, LinkProbe childProbe, PeerLink parent, LinkProbe parentProbe) {
    void close() {
      child.close();
      parent.close();
    }
  }

  private static Pair connect(PeerFactory f) throws Exception {
    LinkProbe cp = new LinkProbe("child");
    LinkProbe pp = new LinkProbe("parent");
    CompletableFuture<PeerLink> child = new CompletableFuture<>();
    CompletableFuture<PeerLink> parent = new CompletableFuture<>();
    LinkProbe.wire(cp, child, pp, parent);
    parent.complete(PeerLink.answer(f, List.of(), pp));
    child.complete(PeerLink.offer(f, List.of(), cp));
    return new Pair(child.join(), cp, parent.join(), pp);
  }

  private static Pair open(PeerFactory f) throws Exception {
    Pair p = connect(f);
    assertThat(p.childProbe.awaitOpen(10)).as("child open").isTrue();
    assertThat(p.parentProbe.awaitOpen(10)).as("parent open").isTrue();
    return p;
  }

  /**
   * Sends with flow control: pauses above HIGH_WATER until onBufferedAmountLow; returns the peak
   * seen.
   */
  private static long sendAll(PeerLink link, LinkProbe probe, List<byte[]> messages)
      throws Exception {
    long peak = 0;
    for (byte[] m : messages) {
      while (link.bufferedAmount() > HIGH_WATER) {
        // The timed wait only guards the test against a lost wakeup; the event is what normally
        // resumes us.
        probe.low.tryAcquire(1, TimeUnit.SECONDS);
      }
      assertThat(link.send(m)).as("send").isTrue();
      peak = Math.max(peak, link.bufferedAmount());
    }
    return peak;
  }

  private static List<byte[]> payload(long totalBytes, long seed) {
    Random random = new Random(seed);
    List<byte[]> out = new ArrayList<>();
    long seq = 0;
    for (long left = totalBytes; left > 0; left -= CHUNK) {
      byte[] m = new byte[(int) Math.min(CHUNK, left)];
      random.nextBytes(m);
      ByteBuffer.wrap(m).putLong(seq++); // in-order check, beside the hash
      out.add(m);
    }
    return out;
  }

  private static byte[] sha256(List<byte[]> messages) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    for (byte[] m : messages) {
      d.update(m);
    }
    return d.digest();
  }

  @Test
  void tenMegabytesArriveIntactAndInOrder() throws Exception {
    long t0 = System.nanoTime();
    Pair p = open(factory);
    System.out.printf(
        "[PeerLinkIT] channel open after %.1f ms (child %d ms, parent %d ms)%n",
        (System.nanoTime() - t0) / 1e6, p.child.openMillis(), p.parent.openMillis());
    try {
      List<byte[]> sent = payload(10L * 1024 * 1024, 42);
      CompletableFuture<List<byte[]>> received =
          CompletableFuture.supplyAsync(
              () -> {
                List<byte[]> got = new ArrayList<>();
                try {
                  while (got.size() < sent.size()) {
                    byte[] m = p.parentProbe.messages.poll(20, TimeUnit.SECONDS);
                    if (m == null) {
                      throw new AssertionError(
                          "only " + got.size() + " of " + sent.size() + " messages arrived");
                    }
                    assertThat(ByteBuffer.wrap(m).getLong()).as("sequence").isEqualTo(got.size());
                    got.add(m);
                  }
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                return got;
              });
      long start = System.nanoTime();
      sendAll(p.child, p.childProbe, sent);
      List<byte[]> got = received.get(60, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "[PeerLinkIT] 10 MiB in %d messages of 64 KiB: %.2f s, %.1f MB/s%n",
          sent.size(), seconds, 10.0 * 1024 * 1024 / 1e6 / seconds);
      assertThat(got).hasSameSizeAs(sent);
      assertThat(sha256(got)).isEqualTo(sha256(sent));
      assertThat(p.parentProbe.messages).isEmpty();

      // And the other way, parent to child, on the same channel.
      List<byte[]> back = payload(3 * CHUNK + 17, 7);
      sendAll(p.parent, p.parentProbe, back);
      List<byte[]> gotBack = new ArrayList<>();
      for (int i = 0; i < back.size(); i++) {
        gotBack.add(p.childProbe.messages.poll(10, TimeUnit.SECONDS));
      }
      assertThat(sha256(gotBack)).isEqualTo(sha256(back));
      assertThat(gotBack.get(3)).hasSize(17);
    } finally {
      p.close();
    }
  }

  @Test
  void senderRespectsHighWaterMark() throws Exception {
    Pair p = open(factory);
    try {
      p.child.setBufferedAmountLowThreshold(256 * 1024);
      List<byte[]> sent = payload(24L * 1024 * 1024, 1);
      CompletableFuture<byte[]> received =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  MessageDigest d = MessageDigest.getInstance("SHA-256");
                  for (int i = 0; i < sent.size(); i++) {
                    byte[] m = p.parentProbe.messages.poll(20, TimeUnit.SECONDS);
                    if (m == null) {
                      throw new AssertionError("message " + i + " missing");
                    }
                    d.update(m);
                  }
                  return d.digest();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long peak = sendAll(p.child, p.childProbe, sent);
      assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sha256(sent));
      System.out.printf(
          "[PeerLinkIT] flow control: peak bufferedAmount %d bytes, %d low events%n",
          peak, p.childProbe.lowEvents.get());
      // The message just sent, plus what a read can miss: a message moved out of the sender
      // thread's queue but not yet counted by libwebrtc (its send is posted to the network thread),
      // so the gate above may pass a little above HIGH_WATER. Run T saw 2.5 messages over it (once
      // in many runs); four bound it far below the 24 MiB an unpaced sender would queue.
      assertThat(peak).isLessThanOrEqualTo(HIGH_WATER + 4 * CHUNK);
      // 24 MiB through a 1 MiB window: the sender must have paused, and the low event resumed it.
      assertThat(p.childProbe.lowEvents.get()).isPositive();
      assertThat(p.child.bufferedAmount()).isLessThanOrEqualTo(256 * 1024);
    } finally {
      p.close();
    }
  }

  @Test
  void candidatesBeforeTheDescriptionAreQueued() throws Exception {
    // Hold every description back until that side's candidates have all been delivered. Neither
    // side then knows any remote candidate unless the queued ones were applied: without the queue
    // nothing connects.
    LinkProbe cp = new LinkProbe("child");
    LinkProbe pp = new LinkProbe("parent");
    CompletableFuture<PeerLink> child = new CompletableFuture<>();
    CompletableFuture<PeerLink> parent = new CompletableFuture<>();
    HeldBack fromChild = new HeldBack(s -> parent.join().onRemoteSignal(s));
    HeldBack fromParent = new HeldBack(s -> child.join().onRemoteSignal(s));
    cp.signalSink = fromChild::accept;
    pp.signalSink = fromParent::accept;
    parent.complete(PeerLink.answer(factory, List.of(), pp));
    child.complete(PeerLink.offer(factory, List.of(), cp));
    try {
      fromChild.releaseAfterCandidates();
      fromParent.releaseAfterCandidates();
      assertThat(cp.awaitOpen(10)).isTrue();
      assertThat(pp.awaitOpen(10)).isTrue();
      assertThat(fromChild.candidatesFirst).as("child's candidates before its offer").isPositive();
      assertThat(fromParent.candidatesFirst)
          .as("parent's candidates before its answer")
          .isPositive();
      assertThat(child.join().send("hello".getBytes())).isTrue();
      assertThat(new String(pp.messages.poll(5, TimeUnit.SECONDS))).isEqualTo("hello");
    } finally {
      child.join().close();
      parent.join().close();
    }
  }

  /**
   * Passes candidates on at once, keeps the description until the candidates have stopped coming.
   */
  private static final class HeldBack {
    private final java.util.function.Consumer<ObjectNode> next;
    private final CompletableFuture<ObjectNode> description = new CompletableFuture<>();
    private final List<Long> candidateTimes = new CopyOnWriteArrayList<>();
    volatile int candidatesFirst;

    HeldBack(java.util.function.Consumer<ObjectNode> next) {
      this.next = next;
    }

    void accept(ObjectNode s) {
      if (s.has("type")) {
        description.complete(s);
      } else {
        candidateTimes.add(System.nanoTime());
        next.accept(s);
      }
    }

    void releaseAfterCandidates() throws Exception {
      ObjectNode d = description.get(10, TimeUnit.SECONDS);
      // Gathering on one host address takes a few ms; 500 ms of quiet means it is done.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        int n = candidateTimes.size();
        long last = n == 0 ? 0 : candidateTimes.get(n - 1);
        if (n > 0 && System.nanoTime() - last > TimeUnit.MILLISECONDS.toNanos(500)) {
          break;
        }
        Thread.sleep(50);
      }
      candidatesFirst = candidateTimes.size();
      next.accept(d);
    }
  }

  @Test
  void closeOnOneSideClosesTheOther() throws Exception {
    for (boolean childCloses : new boolean[] {true, false}) {
      Pair p = open(factory);
      PeerLink closer = childCloses ? p.child : p.parent;
      LinkProbe closerProbe = childCloses ? p.childProbe : p.parentProbe;
      LinkProbe otherProbe = childCloses ? p.parentProbe : p.childProbe;
      long t0 = System.nanoTime();
      closer.close();
      closer.close(); // idempotent
      assertThat(closerProbe.closed.get(5, TimeUnit.SECONDS)).isEqualTo("closed locally");
      String reason = otherProbe.closed.get(5, TimeUnit.SECONDS);
      System.out.printf(
          "[PeerLinkIT] %s closed: the %s noticed after %.0f ms (%s)%n",
          childCloses ? "child" : "parent",
          childCloses ? "parent" : "child",
          (System.nanoTime() - t0) / 1e6,
          reason);
      assertThat(closer.send(new byte[1])).isFalse();
      (childCloses ? p.parent : p.child).close();
      Thread.sleep(100);
      assertThat(closerProbe.closedCalls.get()).isEqualTo(1);
      assertThat(otherProbe.closedCalls.get()).isEqualTo(1);
      assertThat(closerProbe.callbacksAfterClose.get() + otherProbe.callbacksAfterClose.get())
          .isZero();
    }
  }

  @Test
  void badSignalsFromAPeerAreRefusedWithoutHarm() throws Exception {
    Pair p = open(factory);
    try {
      // An answer sent to the answering end, a second offer, SDP libwebrtc cannot parse, a bad
      // candidate.
      ObjectNode answer = JSON.createObjectNode().put("type", "answer").put("sdp", "v=0\r\n");
      assertThatThrownBy(() -> p.parent.onRemoteSignal(answer))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expects an offer");
      ObjectNode offer =
          JSON.createObjectNode().put("type", "offer").put("sdp", "v=0\r\ngarbage\r\n");
      assertThatThrownBy(() -> p.parent.onRemoteSignal(offer))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("renegotiation");
      ObjectNode badCandidate =
          JSON.createObjectNode()
              .put("candidate", "candidate:not a candidate")
              .put("sdpMid", "0")
              .put("sdpMLineIndex", 0);
      assertThatThrownBy(() -> p.child.onRemoteSignal(badCandidate))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("candidate rejected");
      assertThatThrownBy(() -> p.child.onRemoteSignal(JSON.readTree("{\"type\":7}")))
          .isInstanceOf(IllegalArgumentException.class);
      // The link still works.
      assertThat(p.child.send(new byte[] {1, 2, 3})).isTrue();
      assertThat(p.parentProbe.messages.poll(5, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
    } finally {
      p.close();
    }

    // Unparseable SDP in a first offer: refused at once, and a good offer is still accepted after
    // it.
    LinkProbe probe = new LinkProbe("fresh");
    PeerLink fresh = PeerLink.answer(factory, List.of(), probe);
    try {
      ObjectNode garbage =
          JSON.createObjectNode().put("type", "offer").put("sdp", "v=0\r\nm=nonsense\r\n");
      assertThatThrownBy(() -> fresh.onRemoteSignal(garbage))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rejected");
      LinkProbe cp = new LinkProbe("child");
      CompletableFuture<PeerLink> child = new CompletableFuture<>();
      LinkProbe.wire(cp, child, probe, CompletableFuture.completedFuture(fresh));
      child.complete(PeerLink.offer(factory, List.of(), cp));
      assertThat(probe.awaitOpen(10)).isTrue();
      child.join().close();
    } finally {
      fresh.close();
    }
  }

  @Test
  void aPeerKilledWithoutGoodbyeIsNoticed() throws Exception {
    // The child runs in its own JVM (same namespace) and dies by SIGKILL: no SCTP abort, no DTLS
    // close alert. Only ICE consent checks can tell, then disconnectGrace.
    Process child =
        new ProcessBuilder(
                System.getProperty("java.home") + "/bin/java",
                "-cp",
                System.getProperty("java.class.path"),
                RemotePeerMain.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    LinkProbe probe = new LinkProbe("parent");
    java.io.Writer toChild =
        new java.io.OutputStreamWriter(
            child.getOutputStream(), java.nio.charset.StandardCharsets.UTF_8);
    probe.signalSink =
        s -> {
          try {
            toChild.write(s + "\n");
            toChild.flush();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
    PeerLink parent = PeerLink.answer(factory, List.of(), probe);
    Thread reader =
        new Thread(
            () -> {
              try (java.io.BufferedReader r =
                  new java.io.BufferedReader(
                      new java.io.InputStreamReader(
                          child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  if (line.startsWith("@@ ")) {
                    com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(line.substring(3));
                    if (!node.has("event")) {
                      parent.onRemoteSignal(node);
                    }
                  }
                }
              } catch (Exception e) {
                // the child died: expected
              }
            },
            "from-remote-peer");
    reader.setDaemon(true);
    reader.start();
    try {
      assertThat(probe.awaitOpen(20)).as("open with the remote peer").isTrue();
      assertThat(new String(probe.messages.poll(10, TimeUnit.SECONDS))).isEqualTo("hello");
      long t0 = System.nanoTime();
      child.destroyForcibly();
      String reason = probe.closed.get(40, TimeUnit.SECONDS);
      System.out.printf(
          "[PeerLinkIT] remote peer killed (SIGKILL): noticed after %.1f s (%s)%n",
          (System.nanoTime() - t0) / 1e9, reason);
      assertThat(reason).contains("ICE");
    } finally {
      child.destroyForcibly();
      parent.close();
    }
  }

  @Test
  void aLinkNeverAnsweredTimesOutAndClosingTheFactoryClosesItsLinks() throws Exception {
    try (PeerFactory quick =
        new PeerFactory(
            new PeerFactory.Settings(
                Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofMillis(2)))) {
      LinkProbe probe = new LinkProbe("lonely");
      PeerLink.offer(quick, List.of(), probe);
      assertThat(probe.closed.get(5, TimeUnit.SECONDS)).startsWith("not open after 500 ms");
      assertThat(quick.openLinks()).isZero();

      // Closing the factory closes what is still open, and every listener hears of it.
      Pair p = open(quick);
      quick.close();
      assertThat(p.childProbe.closed).isCompletedWithValue("closed locally");
      assertThat(p.parentProbe.closed).isCompletedWithValue("closed locally");
      assertThat(p.child.send(new byte[1])).isFalse();
    }
  }

  @Test
  void fiftyLinksOpenAndCloseWithoutLeakingThreads() throws Exception {
    int threadsBefore = 0;
    long sum = 0;
    for (int i = 0; i < 50; i++) {
      Pair p = open(factory);
      sum += Math.max(p.child.openMillis(), p.parent.openMillis());
      assertThat(p.child.send(new byte[] {(byte) i})).isTrue();
      assertThat(p.parentProbe.messages.poll(5, TimeUnit.SECONDS)).containsExactly((byte) i);
      p.close();
      p.childProbe.closed.get(5, TimeUnit.SECONDS);
      p.parentProbe.closed.get(5, TimeUnit.SECONDS);
      if (i == 0) {
        Thread.sleep(200);
        threadsBefore = osThreads();
      }
    }
    Thread.sleep(200);
    int threadsAfter = osThreads();
    System.out.printf(
        "[PeerLinkIT] 50 links opened and closed: mean open %.1f ms; threads %d after the "
            + "first, %d after the last (native included); links still registered %d%n",
        sum / 50.0, threadsBefore, threadsAfter, factory.openLinks());
    assertThat(threadsAfter).isLessThanOrEqualTo(threadsBefore + 5);
    assertThat(factory.openLinks()).isZero();
  }

  /** Threads of this process, native ones included (Linux). */
  private static int osThreads() {
    String[] tasks = new java.io.File("/proc/self/task").list();
    return tasks == null ? Thread.activeCount() : tasks.length;
  }
}

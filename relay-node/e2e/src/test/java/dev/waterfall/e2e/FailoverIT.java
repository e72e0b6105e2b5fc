package dev.waterfall.e2e;

import static dev.waterfall.e2e.PageViewer.number;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.waterfall.relay.Relay;
import dev.waterfall.relay.peer.PeerFactory;
import dev.waterfall.relay.segment.SegmentSigner;
import dev.waterfall.relay.source.SampleSource;
import dev.waterfall.testkit.chromium.Chromium;
import dev.waterfall.testkit.process.CoordinatorProcess;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Coordinator failover: three coordinator processes in one Hazelcast cluster, relays and pages
 * spread over them, {@code kill -9} of the busiest one while the stream plays. The tree is in
 * Hazelcast (one backup), the data plane is peer to peer, and every node holds the list of
 * coordinators its welcome gave it, so nothing may be lost.
 */
@DisplayName(
    "three coordinators: kill -9 the busiest, its relays and pages resume on the others, nobody stalls")
class FailoverIT {
  static final String STREAM = "failover";

  /**
   * A client must be back within the resume grace period (liveness.resumeGraceMs, 15 s), or its
   * place is swept.
   */
  static final long RECONNECT_BOUND_MS = 15_000;

  @Test
  void killTheBusiestCoordinatorThenRestartIt() throws Exception {
    String cluster = "failover-it-" + ProcessHandle.current().pid();
    int[] clusterPorts = {Http.freePort(), Http.freePort(), Http.freePort()};
    List<CoordinatorProcess> coordinators = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    PeerFactory peers = new PeerFactory();
    List<Relay> relays = new ArrayList<>();
    Chromium chromium = null;
    List<PageViewer> pages = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        List<Integer> others = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          if (j != i) {
            others.add(clusterPorts[j]);
          }
        }
        coordinators.add(StreamRig.coordinatorProcess("c" + i, cluster, clusterPorts[i], others));
      }
      chromium = Chromium.launch(); // while the coordinators start
      for (CoordinatorProcess c : coordinators) {
        c.awaitHealthy(3, 90_000);
      }
      List<String> urls = coordinators.stream().map(c -> c.baseUrl()).toList();
      JsonNode created =
          Http.post(
              urls.get(0) + "/api/streams",
              StreamRig.ADMIN,
              "{\"name\":\"" + STREAM + "\",\"bitrateKbps\":1000,\"maxChildren\":2}");
      String key = created.get("publishKey").textValue();
      String boosterToken =
          Http.post(urls.get(1) + "/api/booster-tokens", StreamRig.ADMIN, "")
              .get("token")
              .textValue();

      // The origin on c0, the booster on c1 (each with the whole list, its own first); pages on c0,
      // c1, c2, c0.
      Relay origin =
          add(
              relays,
              Relay.startOrigin(
                  vertx,
                  peers,
                  new Relay.Options(rotate(urls, 0), STREAM, key, "127.0.0.1", 0, null),
                  SegmentSigner.generate(),
                  SampleSource.fromClasspath(System.currentTimeMillis() / 2000),
                  r -> {}));
      Relay booster =
          add(
              relays,
              Relay.startBooster(
                  vertx,
                  peers,
                  new Relay.Options(rotate(urls, 1), STREAM, boosterToken, "127.0.0.1", 0, null)));
      awaitSegments(booster, 3);
      for (int i = 0; i < 4; i++) {
        pages.add(PageViewer.open(chromium, "P" + i, urls.get(i % 3), STREAM, ""));
      }
      for (PageViewer p : pages) {
        p.waitPlaying();
        p.waitFor("() => window.waterfall.state.parentId !== null", null, 30_000);
      }

      // The busiest coordinator, by the sockets it holds.
      CoordinatorProcess victim =
          coordinators.stream()
              .max(Comparator.comparingInt(c -> c.health().get("sessions").intValue()))
              .orElseThrow();
      List<CoordinatorProcess> survivors = coordinators.stream().filter(c -> c != victim).toList();
      String survivor = survivors.get(0).baseUrl();
      JsonNode before = tree(survivor);
      Map<String, String> parentsBefore = parents(before);
      List<String> victimsClients = new ArrayList<>();
      for (JsonNode n : before.get("nodes")) {
        if (victim.baseUrl().equals(n.path("coordinator").asText())) {
          victimsClients.add(n.get("id").textValue());
        }
      }
      assertThat(victimsClients)
          .as("the victim holds clients: " + before)
          .hasSizeGreaterThanOrEqualTo(2);
      Map<PageViewer, Double> playedAtKill = new HashMap<>();
      Map<PageViewer, String> idAtKill = new HashMap<>();
      for (PageViewer p : pages) {
        playedAtKill.put(p, p.currentTime());
        idAtKill.put(p, p.nodeId());
      }
      long newestAtKill = newest(booster);

      long killedAt = System.nanoTime();
      victim.kill9();

      // Each of its clients shows up connected on a survivor; when, as the survivors' tree says
      // (polled at 100 ms).
      Map<String, Long> backAfterMs = new TreeMap<>();
      JsonNode after = tree(survivor);
      while (backAfterMs.size() < victimsClients.size()
          && System.nanoTime() - killedAt < (RECONNECT_BOUND_MS + 5_000) * 1_000_000) {
        after = tree(survivor);
        for (JsonNode n : after.get("nodes")) {
          String id = n.get("id").textValue();
          if (victimsClients.contains(id)
              && !backAfterMs.containsKey(id)
              && n.get("connected").booleanValue()
              && !victim.baseUrl().equals(n.path("coordinator").asText())) {
            backAfterMs.put(id, (System.nanoTime() - killedAt) / 1_000_000);
          }
        }
        Thread.sleep(100);
      }
      String why = "before " + before + "\nafter " + after + "\nback " + backAfterMs;
      assertThat(backAfterMs.keySet())
          .as("every client of the killed coordinator is back; " + why)
          .containsExactlyInAnyOrderElementsOf(victimsClients);
      assertThat(backAfterMs.values()).as(why).allMatch(ms -> ms <= RECONNECT_BOUND_MS);
      for (JsonNode n : after.get("nodes")) {
        assertThat(n.get("connected").booleanValue()).as(why).isTrue();
        assertThat(survivors.stream().map(c -> c.baseUrl()).toList())
            .as(why)
            .contains(n.get("coordinator").asText());
      }
      // Not one tree entry lost or moved: same ids, same parents.
      assertThat(parents(after)).as(why).isEqualTo(parentsBefore);

      // The data plane never needed the coordinator: every page plays on without a stall, the
      // relays' segments are continuous and identical to the origin's.
      for (PageViewer p : pages) {
        p.waitTime(playedAtKill.get(p) + 6, 30_000);
      }
      while (newest(booster) < newestAtKill + 3 && System.nanoTime() - killedAt < 40_000_000_000L) {
        Thread.sleep(250);
      }
      List<Map<String, Object>> states = new ArrayList<>();
      for (PageViewer p : pages) {
        Map<String, Object> s = p.state();
        states.add(s);
        String pw = p.describe();
        assertThat(number(s, "stallsDataLate")).as("stalls; " + pw).isZero();
        assertThat(s.get("nodeId")).as(pw).isEqualTo(idAtKill.get(p));
        @SuppressWarnings("unchecked")
        Map<String, Object> sig = (Map<String, Object>) s.get("signalling");
        assertThat(sig.get("connected")).as(pw).isEqualTo(true);
        assertThat(number(sig, "rejoins")).as("kept its place; " + pw).isZero();
      }
      assertThat(newest(booster)).isGreaterThanOrEqualTo(newestAtKill + 3);
      List<Long> held = StreamRig.sequences(booster, STREAM);
      for (long seq = held.get(0); seq <= held.get(held.size() - 1); seq++) {
        assertThat(held).as("booster playlist continuous").contains(seq);
        assertThat(StreamRig.segment(booster, STREAM, seq))
            .isEqualTo(StreamRig.segment(origin, STREAM, seq));
      }
      assertThat(parents(tree(survivor))).as("still the same tree").isEqualTo(parentsBefore);

      // The killed coordinator comes back on its old ports: a new member of the same cluster, the
      // same tree.
      long restartAt = System.nanoTime();
      victim.restart();
      victim.awaitHealthy(3, 90_000);
      long rejoinMs = (System.nanoTime() - restartAt) / 1_000_000;
      for (CoordinatorProcess c : survivors) {
        c.awaitHealthy(3, 30_000);
      }
      assertThat(parents(tree(victim.baseUrl()))).isEqualTo(parentsBefore);
      PageViewer late = PageViewer.open(chromium, "late", victim.baseUrl(), STREAM, "");
      pages.add(late);
      late.waitJoined();
      late.waitPlaying();
      JsonNode placed = PageViewer.node(tree(survivor), late.nodeId());
      assertThat(placed).as(late.describe()).isNotNull();
      assertThat(placed.get("parent").isNull()).isFalse();
      assertThat(placed.get("coordinator").asText()).isEqualTo(victim.baseUrl());
      assertThat(
              ((Number)
                      late.page.evaluate(
                          "() => window.waterfall.node.signalling.welcome.coordinators.length"))
                  .intValue())
          .isEqualTo(3);

      List<Long> back = new ArrayList<>(backAfterMs.values());
      back.sort(null);
      System.out.println(
          "FailoverIT: killed "
              + victim.name
              + " holding "
              + victimsClients.size()
              + " clients; back on a survivor after (ms) "
              + backAfterMs
              + " p50 "
              + back.get((back.size() - 1) / 2)
              + " max "
              + back.get(back.size() - 1)
              + "; stalls "
              + states.stream().map(s -> s.get("waitingAfterStart")).toList()
              + "; restarted member healthy in a 3-member cluster after "
              + rejoinMs
              + " ms; pages "
              + states.stream().map(s -> s.get("signalling")).toList());
    } finally {
      for (PageViewer p : pages) {
        try {
          p.page.context().close();
        } catch (RuntimeException e) {
          // best effort
        }
      }
      if (chromium != null) {
        chromium.close();
      }
      for (int i = relays.size() - 1; i >= 0; i--) {
        relays.get(i).close();
      }
      peers.close();
      vertx.close();
      for (CoordinatorProcess c : coordinators) {
        c.close();
      }
    }
  }

  private static <T> T add(List<? super T> parts, T part) {
    parts.add(part);
    return part;
  }

  /** The list starting at {@code first}: each relay tries its own coordinator first. */
  private static List<String> rotate(List<String> urls, int first) {
    List<String> out = new ArrayList<>(urls.subList(first, urls.size()));
    out.addAll(urls.subList(0, first));
    return out;
  }

  private static JsonNode tree(String base) {
    return Http.json(base + "/api/streams/" + STREAM + "/tree");
  }

  private static Map<String, String> parents(JsonNode tree) {
    Map<String, String> out = new TreeMap<>();
    for (JsonNode n : tree.get("nodes")) {
      out.put(
          n.get("id").textValue(), n.get("parent").isNull() ? "-" : n.get("parent").textValue());
    }
    return out;
  }

  private static long newest(Relay relay) {
    List<Long> s = StreamRig.sequences(relay, STREAM);
    return s.isEmpty() ? -1 : s.get(s.size() - 1);
  }

  private static void awaitSegments(Relay relay, int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 40_000;
    while (StreamRig.sequences(relay, STREAM).size() < count
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    assertThat(StreamRig.sequences(relay, STREAM)).hasSizeGreaterThanOrEqualTo(count);
  }
}

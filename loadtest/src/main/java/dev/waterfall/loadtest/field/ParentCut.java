package dev.waterfall.loadtest.field;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.chromium.Probe;
import dev.waterfall.loadtest.kit.chromium.ViewerPage;
import dev.waterfall.loadtest.report.Report;
import dev.waterfall.loadtest.report.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parent's home goes offline mid-run (issue 13: "a viewer whose parent link fails is fed again
 * within 5 s"). The lab drops everything through the home's router at once, so no end sees a close
 * and the coordinator hears nothing for its liveness timeout: the children must notice the silence
 * themselves. Each child is read every half second for 30 s: when it next received stream bytes
 * from anyone (a new parent or HTTP), when a new parent delivered, and whether it stalled.
 */
final class ParentCut {
  static final long WATCH_MILLIS = 30_000;
  static final long SAMPLE_MILLIS = 500;

  /**
   * Bytes counted just after the cut were already on their way (the link's one-way delay and the
   * page's own hand-over); only growth after this counts as fed again, and only over HTTP or from a
   * parent other than the cut one.
   */
  static final long SETTLE_MILLIS = 250;

  private static final Pattern JOINED = Pattern.compile("joined in stream '[^']*' as (\\S+) at");

  /** One reading of a child at one instant. */
  record Sample(
      long atMillis, long fromParent, long byHttp, String parentId, int stalls, long stalledMs) {
    static Sample of(Probe p) {
      return new Sample(
          p.nowMillis(),
          p.bytesFromParent(),
          p.bytesByFallback(),
          p.parentId(),
          p.stalls(),
          p.stalledMs());
    }
  }

  /**
   * What the cut did to one child: ms from the cut until it next got stream bytes from anyone, and
   * until a parent other than the cut one delivered (null: not within the watch); its stalls since.
   */
  record Outcome(
      String page,
      Long fedAgainMillis,
      Long newParentMillis,
      String newParent,
      int stalls,
      long stalledMs) {

    /** From the readings, the first taken before the cut. */
    static Outcome of(String page, String cutNode, long cutAt, List<Sample> samples) {
      Sample first = samples.get(0);
      Sample last = samples.get(samples.size() - 1);
      Long fed = null;
      Long moved = null;
      String newParent = null;
      Sample previous = first;
      for (Sample s : samples) {
        if (s.atMillis() > cutAt + SETTLE_MILLIS) {
          boolean fromNewParent =
              s.parentId() != null
                  && !s.parentId().equals(cutNode)
                  && s.fromParent() > previous.fromParent();
          if (fed == null && (s.byHttp() > previous.byHttp() || fromNewParent)) {
            fed = s.atMillis() - cutAt;
          }
          if (moved == null && fromNewParent) {
            moved = s.atMillis() - cutAt;
            newParent = s.parentId();
          }
        }
        previous = s;
      }
      return new Outcome(
          page,
          fed,
          moved,
          newParent,
          last.stalls() - first.stalls(),
          last.stalledMs() - first.stalledMs());
    }
  }

  private final String what;
  private final String offlinePage;
  private final String nodeId;
  private final long atMillis;
  private final Map<ViewerPage, List<Sample>> children = new LinkedHashMap<>();

  private ParentCut(
      String what, String offlinePage, String nodeId, long atMillis, List<ViewerPage> pages) {
    this.what = what;
    this.offlinePage = offlinePage;
    this.nodeId = nodeId;
    this.atMillis = atMillis;
    pages.forEach(p -> children.put(p, new ArrayList<>()));
  }

  /**
   * Cuts off {@code what} ("booster": the booster in a home; "page": the viewer with the most
   * children) if it has children now: reads each child once, then drops the home. Null when it has
   * none yet (try again later).
   */
  static ParentCut tryCut(
      String what,
      Lab lab,
      Lab.Host boosterHome,
      Path boosterLog,
      List<Lab.Host> viewerHomes,
      List<ViewerPage> pages)
      throws IOException, InterruptedException {
    Map<ViewerPage, Probe> now = new LinkedHashMap<>();
    for (ViewerPage page : pages) {
      Probe p = page.probe();
      if (p != null) {
        now.put(page, p);
      }
    }
    String node;
    Lab.Host home;
    ViewerPage self = null;
    if (what.equals("booster")) {
      node = lastJoinedAs(Files.readString(boosterLog));
      home = boosterHome;
    } else {
      for (Map.Entry<ViewerPage, Probe> e : now.entrySet()) {
        if (e.getValue().children() > 0
            && (self == null || e.getValue().children() > now.get(self).children())) {
          self = e.getKey();
        }
      }
      if (self == null) {
        return null;
      }
      node = now.get(self).nodeId();
      home = viewerHomes.get(pages.indexOf(self));
    }
    List<ViewerPage> under = new ArrayList<>();
    now.forEach(
        (page, p) -> {
          if (node != null && node.equals(p.parentId())) {
            under.add(page);
          }
        });
    if (under.isEmpty()) {
      return null;
    }
    ParentCut cut =
        new ParentCut(
            self == null ? what : what + " (" + self.label + ")",
            self == null ? null : self.label,
            node,
            System.currentTimeMillis(),
            under);
    under.forEach(page -> cut.children.get(page).add(Sample.of(now.get(page))));
    lab.cut(home);
    return cut;
  }

  /** The node id of the relay's last "joined in stream … as X at depth …" log line, or null. */
  static String lastJoinedAs(String log) {
    String id = null;
    Matcher m = JOINED.matcher(log);
    while (m.find()) {
      id = m.group(1);
    }
    return id;
  }

  /**
   * The label of the page whose home went offline (its own stalls are not the product's), or null.
   */
  String offlinePage() {
    return offlinePage;
  }

  boolean watching() {
    return System.currentTimeMillis() < atMillis + WATCH_MILLIS;
  }

  /** One reading of each child; a page that cannot be read this time is read next time. */
  void sample() {
    children.forEach(
        (page, samples) -> {
          try {
            Probe p = page.probe();
            if (p != null) {
              samples.add(Sample.of(p));
            }
          } catch (RuntimeException e) {
            // a crashed page shows as a child never fed again
          }
        });
  }

  /** figures.parentCut and the two targets: every child fed within 5 s, no stall. */
  void report(Report report) {
    ObjectNode out = report.figures().putObject("parentCut");
    out.put("cut", what).put("nodeId", nodeId).put("watchedMs", WATCH_MILLIS);
    ArrayNode rows = out.putArray("children");
    long slowest = 0;
    int stalls = 0;
    for (Map.Entry<ViewerPage, List<Sample>> e : children.entrySet()) {
      Outcome o = Outcome.of(e.getKey().label, nodeId, atMillis, e.getValue());
      ObjectNode row = rows.addObject().put("page", o.page());
      putOrNull(row, "fedAgainMs", o.fedAgainMillis());
      putOrNull(row, "newParentMs", o.newParentMillis());
      row.put("newParent", o.newParent())
          .put("stallsAfterCut", o.stalls())
          .put("stalledMsAfterCut", o.stalledMs())
          .put("samples", e.getValue().size());
      slowest = Math.max(slowest, o.fedAgainMillis() == null ? WATCH_MILLIS : o.fedAgainMillis());
      stalls += o.stalls();
    }
    report.target(
        Target.atMost(
            "a cut-off parent's children fed again (slowest; " + what + ")", slowest, 5000, "ms"));
    report.target(Target.atMost("stalls of its children after the cut", stalls, 0, "stalls"));
  }

  private static void putOrNull(ObjectNode row, String field, Long value) {
    if (value == null) {
      row.putNull(field);
    } else {
      row.put(field, value);
    }
  }
}

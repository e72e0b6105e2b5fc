package dev.waterfall.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The harness behind docs/architecture.md's repair comparison: the same seeded churn for each
 * strategy (grow to 20,000 full-capacity nodes, then 20,000 steps of join-or-remove), measuring
 * what each removal costs. Writes target/repair-comparison.json.
 */
@DisplayName("Repair strategies compared on the same churn")
class RepairStrategyComparisonTest {
  private static final long SEED = 20261121L;
  private static final int GROW = 20_000;
  private static final int CHURN = 20_000;

  /** What one strategy cost over the churn phase. */
  record Stats(
      String strategy,
      int maxDepthAfterGrowth,
      int removals,
      int repairs,
      double meanEdgesPerRemoval,
      double meanEdgesPerRepair,
      int maxEdges,
      double meanDepthChangesPerRemoval,
      double meanDepthChangesPerRepair,
      int maxDepthChanges,
      int maxDepthReached,
      int finalMaxDepth,
      int finalSize,
      int finalDepthBound,
      int boundViolations,
      double meanRemovalMicros) {

    double meanCost() {
      return meanEdgesPerRemoval + meanDepthChangesPerRemoval;
    }

    String json() {
      return String.format(
          Locale.ROOT,
          "{\"strategy\": \"%s\", \"maxDepthAfterGrowth\": %d, "
              + "\"removals\": %d, \"repairs\": %d, "
              + "\"meanNewEdgesPerRemoval\": %.3f, \"meanNewEdgesPerRepair\": %.3f, \"maxNewEdges\": %d, "
              + "\"meanDepthChangesPerRemoval\": %.3f, \"meanDepthChangesPerRepair\": %.3f, "
              + "\"maxDepthChanges\": %d, \"maxDepthReached\": %d, \"finalMaxDepth\": %d, "
              + "\"finalSize\": %d, \"finalDepthBound\": %d, \"depthBoundViolations\": %d, "
              + "\"meanRemovalMicros\": %.1f}",
          strategy,
          maxDepthAfterGrowth,
          removals,
          repairs,
          meanEdgesPerRemoval,
          meanEdgesPerRepair,
          maxEdges,
          meanDepthChangesPerRemoval,
          meanDepthChangesPerRepair,
          maxDepthChanges,
          maxDepthReached,
          finalMaxDepth,
          finalSize,
          finalDepthBound,
          boundViolations,
          meanRemovalMicros);
    }
  }

  /** Scenario name to the share of joins that are boosters (in twentieths). */
  private static final Map<String, Integer> SCENARIOS =
      Map.of("viewers-only", 0, "boosters-5pct", 1);

  @Test
  void defaultStrategyIsNoWorseThanTheOthers() throws IOException {
    Map<String, Map<String, Stats>> scenarios = new LinkedHashMap<>();
    for (String scenario : List.of("viewers-only", "boosters-5pct")) {
      Map<String, Stats> results = new LinkedHashMap<>();
      for (String name : RepairStrategies.names()) {
        results.put(name, churn(RepairStrategies.byName(name), SCENARIOS.get(scenario)));
      }
      scenarios.put(scenario, results);
    }
    writeJson(scenarios);

    for (Map<String, Stats> results : scenarios.values()) {
      assertThat(results.get("leaf-swap").boundViolations()).isZero();
      Stats chosen = results.get(RepairStrategies.defaultStrategy().name());
      for (Stats other : results.values()) {
        assertThat(chosen.maxDepthReached())
            .as("max depth vs %s", other.strategy())
            .isLessThanOrEqualTo(other.maxDepthReached());
        assertThat(chosen.meanCost())
            .as("edges + depth changes vs %s", other.strategy())
            .isLessThanOrEqualTo(other.meanCost());
      }
    }
  }

  private static Stats churn(RepairStrategy strategy, int boostersIn20) {
    StreamTree tree = new StreamTree("cmp", "origin", 4, 2500, 0);
    Random random = new Random(SEED);
    List<String> ids = new ArrayList<>();
    long clock = 0;
    int next = 0;
    for (int i = 0; i < GROW; i++) {
      ids.add(join(tree, random, "n" + next++, clock++, boostersIn20));
    }
    int afterGrowth = tree.maxDepth();
    int removals = 0;
    int repairs = 0;
    long edges = 0;
    long repairEdges = 0;
    int maxEdges = 0;
    long depthChanges = 0;
    long repairDepthChanges = 0;
    int maxDepthChanges = 0;
    int maxDepth = tree.maxDepth();
    int violations = 0;
    long nanos = 0;
    for (int step = 0; step < CHURN; step++) {
      if (random.nextBoolean()) {
        ids.add(join(tree, random, "n" + next++, clock++, boostersIn20));
      } else {
        int index = random.nextInt(ids.size());
        String id = ids.get(index);
        ids.set(index, ids.get(ids.size() - 1));
        ids.remove(ids.size() - 1);
        boolean repair = !tree.node(id).childIds().isEmpty();
        long start = System.nanoTime();
        List<Move> moves = tree.remove(id, strategy);
        nanos += System.nanoTime() - start;
        int changed = tree.lastDepthChanges;
        removals++;
        edges += moves.size();
        depthChanges += changed;
        maxEdges = Math.max(maxEdges, moves.size());
        maxDepthChanges = Math.max(maxDepthChanges, changed);
        if (repair) {
          repairs++;
          repairEdges += moves.size();
          repairDepthChanges += changed;
        }
      }
      maxDepth = Math.max(maxDepth, tree.maxDepth());
      if (tree.maxDepth() > StreamTree.depthBound(tree.size())) {
        violations++;
      }
    }
    tree.validate();
    return new Stats(
        strategy.name(),
        afterGrowth,
        removals,
        repairs,
        (double) edges / removals,
        (double) repairEdges / repairs,
        maxEdges,
        (double) depthChanges / removals,
        (double) repairDepthChanges / repairs,
        maxDepthChanges,
        maxDepth,
        tree.maxDepth(),
        tree.size(),
        StreamTree.depthBound(tree.size()),
        violations,
        nanos / 1000.0 / removals);
  }

  /** Full-capacity node, a booster with probability boostersIn20 / 20. */
  private static String join(
      StreamTree tree, Random random, String id, long clock, int boostersIn20) {
    Role role = random.nextInt(20) < boostersIn20 ? Role.BOOSTER : Role.VIEWER;
    tree.join(new NodeSpec(id, role, 4, clock, null));
    return id;
  }

  private static void writeJson(Map<String, Map<String, Stats>> scenarios) throws IOException {
    StringBuilder json = new StringBuilder();
    json.append("{\n  \"seed\": ")
        .append(SEED)
        .append(",\n  \"grow\": ")
        .append(GROW)
        .append(",\n  \"churnSteps\": ")
        .append(CHURN)
        .append(",\n  \"maxChildren\": 4,\n")
        .append("  \"default\": \"")
        .append(RepairStrategies.defaultStrategy().name())
        .append("\",\n")
        .append("  \"scenarios\": {\n");
    List<String> blocks = new ArrayList<>();
    for (Map.Entry<String, Map<String, Stats>> scenario : scenarios.entrySet()) {
      List<String> rows = new ArrayList<>();
      for (Stats stats : scenario.getValue().values()) {
        rows.add("      " + stats.json());
      }
      blocks.add("    \"" + scenario.getKey() + "\": [\n" + String.join(",\n", rows) + "\n    ]");
    }
    json.append(String.join(",\n", blocks)).append("\n  }\n}\n");
    Path out = Path.of("target", "repair-comparison.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, json);
    System.out.print(json);
  }
}

package dev.waterfall.loadtest.failover;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Two snapshots of one tree compared: entries of {@code before} missing from {@code after} (lost:
 * nobody in the run left on purpose, so any is a failure), entries present in both whose parent
 * differs (moved), entries new in {@code after} (joined meanwhile), and entries of {@code after} no
 * coordinator holds a socket for.
 */
record TreeDiff(
    int before,
    int after,
    List<String> lost,
    Map<String, Integer> lostByRole,
    int moved,
    int added,
    int disconnectedAfter) {
  static TreeDiff between(TreeSnapshot before, TreeSnapshot after) {
    List<String> lost = new ArrayList<>();
    Map<String, Integer> lostByRole = new TreeMap<>();
    int moved = 0;
    for (Map.Entry<String, String> e : before.parents().entrySet()) {
      String id = e.getKey();
      if (!after.parents().containsKey(id)) {
        lost.add(id);
        lostByRole.merge(before.roles().getOrDefault(id, "?"), 1, Integer::sum);
      } else if (!Objects.equals(e.getValue(), after.parents().get(id))) {
        moved++;
      }
    }
    int added =
        (int)
            after.parents().keySet().stream()
                .filter(id -> !before.parents().containsKey(id))
                .count();
    lost.sort(null);
    return new TreeDiff(
        before.size(),
        after.size(),
        List.copyOf(lost),
        lostByRole,
        moved,
        added,
        after.disconnected().size());
  }
}

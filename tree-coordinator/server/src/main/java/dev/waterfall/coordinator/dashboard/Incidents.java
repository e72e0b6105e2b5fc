package dev.waterfall.coordinator.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this coordinator saw happen to each stream's nodes, kept in memory for the dashboard: the
 * repairs it made in the last minute and the nodes reported as unhealthy in the last {@link
 * #FLAG_MS}. Never written to Hazelcast: a dashboard asks every coordinator for its own (see {@link
 * MemberReport}).
 */
public final class Incidents {
  public static final long WINDOW_MS = 60_000;
  static final long FLAG_MS = 30_000;

  /** Bounds memory under mass churn; the dashboard then shows "at least" this many. */
  static final int MAX_REPAIRS = 1000;

  private static final int MAX_FLAGS = 10_000;

  /**
   * One repair: {@code node} departed and {@code moved} nodes got a new parent. {@code durationMs}
   * runs from the coordinator noticing the loss (leave received, socket closed, silence detected,
   * dead coordinator swept) to the moved nodes and their new parents having been told (written to
   * their sockets or handed to the event bus for their coordinators).
   */
  public record Repair(long at, String node, String cause, int moved, double durationMs) {}

  private record Flag(String reason, long at) {}

  private final Map<String, Deque<Repair>> repairs = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Flag>> flags = new ConcurrentHashMap<>();

  public void repair(
      String stream, String node, String cause, int moved, long noticedNanos, long now) {
    double ms = (System.nanoTime() - noticedNanos) / 1e6;
    Deque<Repair> log = repairs.computeIfAbsent(stream, k -> new ArrayDeque<>());
    synchronized (log) {
      log.addLast(new Repair(now, node, cause, moved, Math.round(ms * 100) / 100.0));
      prune(log, now);
      while (log.size() > MAX_REPAIRS) {
        log.removeFirst();
      }
    }
  }

  /**
   * A node reported unhealthy: {@code starving}, {@code bad-data} (it sent it), {@code slow} (as a
   * child), or {@code demoted} (two children reported it starving them).
   */
  public void flag(String stream, String node, String reason, long now) {
    Map<String, Flag> m = flags.computeIfAbsent(stream, k -> new HashMap<>());
    synchronized (m) {
      if (m.size() >= MAX_FLAGS) {
        m.values().removeIf(f -> now - f.at() > FLAG_MS);
      }
      if (m.size() < MAX_FLAGS) {
        m.put(node, new Flag(reason, now));
      }
    }
  }

  public List<Repair> repairs(String stream, long now) {
    Deque<Repair> log = repairs.get(stream);
    if (log == null) {
      return List.of();
    }
    synchronized (log) {
      prune(log, now);
      return new ArrayList<>(log);
    }
  }

  /** The reason a node was flagged within the last {@link #FLAG_MS}, or null. */
  public Map<String, String> flags(String stream, long now) {
    Map<String, Flag> m = flags.get(stream);
    if (m == null) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    synchronized (m) {
      m.values().removeIf(f -> now - f.at() > FLAG_MS);
      m.forEach((node, f) -> out.put(node, f.reason()));
    }
    return out;
  }

  public void forget(String stream) {
    repairs.remove(stream);
    flags.remove(stream);
  }

  private static void prune(Deque<Repair> log, long now) {
    while (!log.isEmpty() && now - log.peekFirst().at() > WINDOW_MS) {
      log.removeFirst();
    }
  }
}

package dev.waterfall.loadtest.kit.processes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@link RelayHost} reported, parsed from its stdout lines: parent changes, first bytes
 * from each new parent, complete segments and byte counters, in wall-clock milliseconds.
 * Thread-safe (a reader thread writes, the scenario reads).
 */
public final class HostLog {
  public record Change(long atMillis, String parent) {}

  private String nodeId;
  private long joinedAtMillis = -1;
  private final List<Change> parents = new ArrayList<>();
  private final List<Change> flows = new ArrayList<>();
  private final Map<Long, Long> segments = new HashMap<>();
  private final List<long[]> bytes = new ArrayList<>(); // {atMillis, fromParent, fallback}
  private long[] links = {-1, -1}; // {open peer links, children}: only the latest
  private boolean recycling;
  private long exitingAtMillis = -1;

  /**
   * One line of {@link RelayHost}'s output; anything else (a library printing to stdout) is
   * ignored.
   */
  public synchronized void accept(String line) {
    String[] f = line.trim().split(" ");
    try {
      switch (f[0]) {
        case "joined" -> {
          nodeId = f[1];
          joinedAtMillis = Long.parseLong(f[2]);
        }
        case "parent" ->
            parents.add(new Change(Long.parseLong(f[2]), f[1].equals("-") ? null : f[1]));
        case "flow" -> flows.add(new Change(Long.parseLong(f[2]), f[1]));
        case "seg" -> segments.putIfAbsent(Long.parseLong(f[1]), Long.parseLong(f[2]));
        case "bytes" ->
            bytes.add(
                new long[] {Long.parseLong(f[3]), Long.parseLong(f[1]), Long.parseLong(f[2])});
        case "links" -> links = new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
        case "exiting" -> exitingAtMillis = Long.parseLong(f[1]);
        // Recycler's own line: draining began
        case "Waterfall" -> recycling |= line.contains(" recycling ");
        default -> {}
      }
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      // a truncated line (the process was killed mid-write): ignore
    }
  }

  public synchronized String nodeId() {
    return nodeId;
  }

  public synchronized long joinedAtMillis() {
    return joinedAtMillis;
  }

  /**
   * The parent at {@code atMillis} as last reported at or before it (null: none, or not joined
   * yet).
   */
  public synchronized String parentAt(long atMillis) {
    String p = null;
    for (Change c : parents) {
      if (c.atMillis() > atMillis) {
        break;
      }
      p = c.parent();
    }
    return p;
  }

  public synchronized List<Change> flows() {
    return List.copyOf(flows);
  }

  public synchronized List<Change> parents() {
    return List.copyOf(parents);
  }

  public synchronized Map<Long, Long> segments() {
    return Map.copyOf(segments);
  }

  /** {open peer links, children} as last reported ({-1, -1} before any). */
  public synchronized long[] links() {
    return links.clone();
  }

  /** Whether it began to drain for a recycle (it will exit 0 once its children are handed over). */
  public synchronized boolean recycling() {
    return recycling;
  }

  /** When a recycled host said it exits, or -1. */
  public synchronized long exitingAtMillis() {
    return exitingAtMillis;
  }

  /** Time of its first complete segment, or -1. */
  public synchronized long firstSegmentAtMillis() {
    return segments.values().stream().mapToLong(Long::longValue).min().orElse(-1);
  }

  /** {fromParent, fallback} last reported at or before {@code atMillis} ({0, 0} before any). */
  public synchronized long[] bytesAt(long atMillis) {
    long[] last = {0, 0};
    for (long[] b : bytes) {
      if (b[0] > atMillis) {
        break;
      }
      last = new long[] {b[1], b[2]};
    }
    return last;
  }
}

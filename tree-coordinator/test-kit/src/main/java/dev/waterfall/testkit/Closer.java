package dev.waterfall.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * What a rig started, closed in the reverse order, each part best effort: one that fails to close
 * must not leave the others (a coordinator, native WebRTC threads) running after a test or a run.
 */
public final class Closer implements AutoCloseable {
  private final List<AutoCloseable> parts = new ArrayList<>();

  /** Registers {@code part} to be closed before everything registered earlier; returns it. */
  public synchronized <T extends AutoCloseable> T add(T part) {
    parts.add(part);
    return part;
  }

  @Override
  public synchronized void close() {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
    parts.clear();
  }
}

package dev.waterfall.loadtest.simulate;

import java.util.Arrays;

/**
 * The pending events (departures, and the simulation's timers): a binary min-heap on (time,
 * insertion order) in two parallel arrays, so a million viewers cost 12 bytes each rather than an
 * object each. An event is one int, its kind in the top two bits and its viewer in the rest ({@link
 * #event}). Equal times come out in the order they were scheduled, which keeps a seeded run
 * reproducible.
 */
final class EventQueue {
  static final int DEPART = 0;

  /** A viewer's uplink is measured: its slots are set from it. */
  static final int MEASURE = 1;

  /** A child starved by its parent for a whole window reports it. */
  static final int REPORT = 2;

  /** A reported viewer's quiet period is over: the tree may give back a slot or end its bar. */
  static final int EARN = 3;

  private static final int KIND_SHIFT = 30;
  private static final int VIEWER_MASK = (1 << KIND_SHIFT) - 1;

  private double[] times = new double[1024];
  private long[] keys = new long[1024]; // insertion sequence << 32 | event
  private int size;
  private long sequence;

  void add(double time, int event) {
    if (size == times.length) {
      times = Arrays.copyOf(times, size * 2);
      keys = Arrays.copyOf(keys, size * 2);
    }
    long key = (sequence++ << 32) | (event & 0xFFFF_FFFFL);
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!less(time, key, times[parent], keys[parent])) {
        break;
      }
      times[i] = times[parent];
      keys[i] = keys[parent];
      i = parent;
    }
    times[i] = time;
    keys[i] = key;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** Time of the next event; only when not empty. */
  double peekTime() {
    return times[0];
  }

  /** Removes the next event and returns it. */
  int poll() {
    int event = (int) keys[0];
    double lastTime = times[--size];
    long lastKey = keys[size];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && less(times[child + 1], keys[child + 1], times[child], keys[child])) {
        child++;
      }
      if (!less(times[child], keys[child], lastTime, lastKey)) {
        break;
      }
      times[i] = times[child];
      keys[i] = keys[child];
      i = child;
    }
    times[i] = lastTime;
    keys[i] = lastKey;
    return event;
  }

  static int event(int kind, int viewer) {
    return kind << KIND_SHIFT | viewer;
  }

  static int kind(int event) {
    return event >>> KIND_SHIFT;
  }

  static int viewer(int event) {
    return event & VIEWER_MASK;
  }

  private static boolean less(double t1, long k1, double t2, long k2) {
    return t1 < t2 || t1 == t2 && (k1 >>> 32) < (k2 >>> 32);
  }
}

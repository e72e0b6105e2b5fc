package dev.waterfall.coordinator.signalling;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Per-address limits: open sockets, and joins (or resumes) per second. A limit of 0 means none. An
 * address is forgotten once it has no socket and its join allowance has refilled, so the table
 * stays as small as the set of addresses actually active; closing and reopening sockets does not
 * reset an allowance.
 */
final class AddressLimits {
  private final int maxSockets;
  private final int joinsPerSecond;
  private final int joinBurst;
  private final Map<String, Entry> byAddress = new HashMap<>();

  private static final class Entry {
    int sockets;
    TokenBucket joins;
    boolean reported;
  }

  AddressLimits(int maxSockets, int joinsPerSecond, int joinBurst) {
    this.maxSockets = maxSockets;
    this.joinsPerSecond = joinsPerSecond;
    this.joinBurst = joinBurst;
  }

  /**
   * Counts a new socket; false (and not counted) when the address already holds the most allowed.
   */
  synchronized boolean openSocket(String address) {
    Entry e = byAddress.computeIfAbsent(address, a -> new Entry());
    if (maxSockets > 0 && e.sockets >= maxSockets) {
      return false;
    }
    e.sockets++;
    return true;
  }

  synchronized void closeSocket(String address) {
    Entry e = byAddress.get(address);
    if (e != null && e.sockets > 0) {
      e.sockets--;
    }
  }

  /** Takes one join from the address's allowance; false when it is spent. */
  synchronized boolean tryJoin(String address, long nowNanos) {
    if (joinsPerSecond == 0) {
      return true;
    }
    Entry e = byAddress.computeIfAbsent(address, a -> new Entry());
    if (e.joins == null) {
      e.joins = new TokenBucket(joinsPerSecond, joinBurst, nowNanos);
    }
    return e.joins.tryTake(nowNanos);
  }

  /**
   * True the first time an address hits a limit since it was last forgotten: log once, not per
   * refusal.
   */
  synchronized boolean firstRefusal(String address) {
    Entry e = byAddress.get(address);
    if (e == null || e.reported) {
      return false;
    }
    e.reported = true;
    return true;
  }

  synchronized void prune(long nowNanos) {
    for (Iterator<Entry> it = byAddress.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.sockets == 0 && (e.joins == null || e.joins.isFull(nowNanos))) {
        it.remove();
      }
    }
  }

  synchronized int tracked() {
    return byAddress.size();
  }
}

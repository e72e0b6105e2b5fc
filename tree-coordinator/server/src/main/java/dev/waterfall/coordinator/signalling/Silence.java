package dev.waterfall.coordinator.signalling;

/**
 * When a joined node counts as silent. Wall time alone blames nodes for this coordinator's own
 * stalls: after a long GC pause, or an event loop starved on a loaded machine, their heartbeats sit
 * unread in the socket while the clock runs on, and the first liveness check after the stall would
 * remove every node at once (seen in the failover benchmark at load 40: a survivor dropped ~1,000
 * live nodes). So silence must also span {@code missed} liveness checks in a row that found nothing
 * new from the node: a stall costs one check, not the node's place.
 */
final class Silence {
  private final long limitMs;
  private final int missed;

  Silence(long limitMs, int missed) {
    this.limitMs = limitMs;
    this.missed = missed;
  }

  /** Called once per liveness check for each joined session; true when it is silent. */
  boolean check(Session s, long now) {
    if (s.lastSeen != s.lastSeenAtCheck) {
      s.lastSeenAtCheck = s.lastSeen;
      s.quietChecks = 0;
    } else {
      s.quietChecks++;
    }
    return now - s.lastSeen > limitMs && s.quietChecks >= missed;
  }
}

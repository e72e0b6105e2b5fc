package dev.waterfall.relay.llhls;

import dev.waterfall.relay.cmaf.Part;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The origin's LL-HLS stream: the init segment and the last few segments with their parts. One
 * thread adds (the source's), any thread reads an immutable {@link LlSnapshot}; listeners hear of
 * every new part, so blocked playlist and part requests can be answered the moment what they wait
 * for exists.
 */
public final class PartStore {

  /**
   * Complete segments kept beside the open one: 6 × 2 s, what the playlist lists and a slow player
   * may still ask.
   */
  static final int KEPT_SEGMENTS = 6;

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final long firstMsn;
  private volatile LlSnapshot snapshot;

  /**
   * @param firstMsn the first segment's media sequence number (from the clock: a restarted origin
   *     reuses none)
   * @param firstPartId the first part's id (likewise)
   */
  public PartStore(long firstMsn, long firstPartId) {
    this.firstMsn = firstMsn;
    this.snapshot = new LlSnapshot(null, List.of(), firstPartId);
  }

  public LlSnapshot snapshot() {
    return snapshot;
  }

  /** Calls {@code listener} (on the adding thread) after every change. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  public void removeListener(Runnable listener) {
    listeners.remove(listener);
  }

  public void setInit(byte[] init) {
    synchronized (this) {
      LlSnapshot s = snapshot;
      snapshot = new LlSnapshot(init.clone(), s.segments(), s.nextPartId());
    }
    notifyListeners();
  }

  /**
   * Adds the next part, numbered on from the last one held; {@code nowMillis} dates the first
   * segment (its media began that part's length before now), later ones follow on by their
   * durations.
   */
  public void add(Part part, long nowMillis) {
    LlSnapshot s = snapshot;
    LlSegment open = s.segments().isEmpty() ? null : s.last();
    boolean opens = open == null || part.startsSegment();
    long msn = open == null ? firstMsn : opens ? open.msn() + 1 : open.msn();
    put(
        new LlPart(
            s.nextPartId(),
            msn,
            opens ? 0 : open.parts().size(),
            part.bytes(),
            part.seconds(),
            part.independent()),
        open == null || !opens
            ? nowMillis - Math.round(part.seconds() * 1000)
            : open.programDateMillis() + Math.round(open.seconds() * 1000));
  }

  /**
   * Adds a part numbered by the origin (its id, segment and index signed in its header), in order:
   * a part of a later segment completes the open one. {@code segmentDateMillis} dates the segment
   * this part opens (ignored otherwise): derived from the signed header, so every node's playlist
   * names the same program date.
   */
  public void put(LlPart part, long segmentDateMillis) {
    synchronized (this) {
      LlSnapshot s = snapshot;
      List<LlSegment> segments = new ArrayList<>(s.segments());
      LlSegment open = segments.isEmpty() ? null : segments.get(segments.size() - 1);
      if (open == null || part.msn() != open.msn()) {
        if (open != null) {
          segments.set(segments.size() - 1, open.completed());
        }
        open = new LlSegment(part.msn(), segmentDateMillis, List.of(), false);
        segments.add(open);
      }
      segments.set(segments.size() - 1, open.with(part));
      while (segments.size() > KEPT_SEGMENTS + 1) {
        segments.remove(0);
      }
      snapshot = new LlSnapshot(s.init(), segments, part.id() + 1);
    }
    notifyListeners();
  }

  private void notifyListeners() {
    for (Runnable r : listeners) {
      r.run();
    }
  }
}

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
   * Adds the next part; {@code nowMillis} dates a new segment: its media began that part's length
   * before now, and later segments follow on from the first by their durations, so the program date
   * stays continuous.
   */
  public void add(Part part, long nowMillis) {
    synchronized (this) {
      LlSnapshot s = snapshot;
      List<LlSegment> segments = new ArrayList<>(s.segments());
      LlSegment open = segments.isEmpty() ? null : segments.get(segments.size() - 1);
      if (open == null || part.startsSegment()) {
        long msn = open == null ? firstMsn : open.msn() + 1;
        long date =
            open == null
                ? nowMillis - Math.round(part.seconds() * 1000)
                : open.programDateMillis() + Math.round(open.seconds() * 1000);
        if (open != null) {
          segments.set(segments.size() - 1, open.completed());
        }
        open = new LlSegment(msn, date, List.of(), false);
        segments.add(open);
      }
      LlPart added =
          new LlPart(
              s.nextPartId(),
              open.msn(),
              open.parts().size(),
              part.bytes(),
              part.seconds(),
              part.independent());
      segments.set(segments.size() - 1, open.with(added));
      while (segments.size() > KEPT_SEGMENTS + 1) {
        segments.remove(0);
      }
      snapshot = new LlSnapshot(s.init(), segments, s.nextPartId() + 1);
    }
    notifyListeners();
  }

  private void notifyListeners() {
    for (Runnable r : listeners) {
      r.run();
    }
  }
}

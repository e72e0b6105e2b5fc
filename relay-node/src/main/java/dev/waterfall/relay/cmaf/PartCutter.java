package dev.waterfall.relay.cmaf;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups fragments into LL-HLS parts and parts into segments, as they come, without waiting for
 * what follows:
 *
 * <ul>
 *   <li>a part is handed out as soon as it holds at least 85 % of the part target (the spec's floor
 *       for every part but a segment's last or an independent one), so with fragments of about the
 *       target each fragment is a part the moment it is complete;
 *   <li>a keyframe always starts a new part (so INDEPENDENT=YES marks where a player may start),
 *       ending the part in progress even if it is short;
 *   <li>a keyframe starts a new segment once the current one holds at least the segment target less
 *       half a part, so segments start on keyframes and last about the target (or a whole number of
 *       GOPs);
 *   <li>nothing is handed out before the first keyframe: a player cannot start on what comes before
 *       it.
 * </ul>
 *
 * Pure: no clock, no I/O.
 */
public final class PartCutter {

  static final double MIN_PART_SHARE = 0.85;

  private final double partTarget;
  private final double segmentTarget;
  private final List<Fragment> pending = new ArrayList<>();
  private double pendingSeconds;
  private boolean pendingStartsSegment;
  private double segmentSeconds;
  private boolean started;

  public PartCutter(double partTargetSeconds, double segmentTargetSeconds) {
    if (!(partTargetSeconds > 0) || !(segmentTargetSeconds >= partTargetSeconds)) {
      throw new IllegalArgumentException(
          "need 0 < part target ("
              + partTargetSeconds
              + ") <= segment target ("
              + segmentTargetSeconds
              + ")");
    }
    this.partTarget = partTargetSeconds;
    this.segmentTarget = segmentTargetSeconds;
  }

  /**
   * The parts this fragment completes: none, one, or two (the short part a keyframe ended, then
   * itself).
   */
  public List<Part> accept(Fragment fragment) {
    List<Part> out = new ArrayList<>(2);
    if (!started) {
      if (!fragment.independent()) {
        return out;
      }
      started = true;
    }
    if (fragment.independent()) {
      if (!pending.isEmpty()) {
        out.add(flush());
      }
      if (segmentSeconds == 0 || segmentSeconds >= segmentTarget - partTarget / 2) {
        pendingStartsSegment = true;
        segmentSeconds = 0;
      }
    }
    pending.add(fragment);
    pendingSeconds += fragment.seconds();
    if (pendingSeconds >= partTarget * MIN_PART_SHARE) {
      out.add(flush());
    }
    return out;
  }

  private Part flush() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (Fragment f : pending) {
      bytes.writeBytes(f.bytes());
    }
    Part part =
        new Part(
            bytes.toByteArray(),
            pendingSeconds,
            pending.get(0).independent(),
            pendingStartsSegment);
    segmentSeconds += pendingSeconds;
    pending.clear();
    pendingSeconds = 0;
    pendingStartsSegment = false;
    return part;
  }
}

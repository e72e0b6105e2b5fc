package dev.waterfall.loadtest.simulate;

import dev.waterfall.tree.StreamTree;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The viewers' uplinks: a share who cannot upload at all (upload:false, e.g. behind a symmetric NAT
 * or on mobile data), and for the rest either no declared uplink (the tree gives them maxChildren
 * slots, as the coordinator does before a measurement) or a weighted list of uplinks in kbps. Slots
 * come from the real rule, {@link StreamTree#slotsFor}.
 */
public final class UplinkMix {
  private final double noUploadShare;
  private final int[] uplinksKbps;
  private final double[] cumulative;

  /**
   * @param weighted "kbps:weight" entries; empty for "uplink undeclared" (full slots)
   */
  public UplinkMix(double noUploadShare, List<String> weighted) {
    if (!(noUploadShare >= 0 && noUploadShare <= 1)) {
      throw new IllegalArgumentException(
          "the share who cannot upload must be in [0,1], got " + noUploadShare);
    }
    this.noUploadShare = noUploadShare;
    List<int[]> parsed = new ArrayList<>();
    double total = 0;
    for (String entry : weighted) {
      String[] parts = entry.trim().split(":");
      try {
        int kbps = Integer.parseInt(parts[0].trim());
        int weight = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : 1;
        if (parts.length > 2 || kbps < 0 || weight <= 0) {
          throw new NumberFormatException();
        }
        parsed.add(new int[] {kbps, weight});
        total += weight;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "uplink entry must be KBPS[:WEIGHT] with KBPS >= 0 and WEIGHT > 0, got '"
                + entry
                + "'");
      }
    }
    uplinksKbps = new int[parsed.size()];
    cumulative = new double[parsed.size()];
    double acc = 0;
    for (int i = 0; i < parsed.size(); i++) {
      uplinksKbps[i] = parsed.get(i)[0];
      acc += parsed.get(i)[1] / total;
      cumulative[i] = acc;
    }
  }

  /** Slots of one new viewer. */
  public int drawSlots(SplittableRandom random, int maxChildren, int bitrateKbps) {
    return draw(random, maxChildren, bitrateKbps).slots();
  }

  /** One new viewer's uplink (the same draws as {@link #drawSlots}). */
  public Uplink draw(SplittableRandom random, int maxChildren, int bitrateKbps) {
    if (random.nextDouble() < noUploadShare) {
      return new Uplink(false, StreamTree.slotsFor(maxChildren, bitrateKbps, null, false));
    }
    if (uplinksKbps.length == 0) {
      return new Uplink(true, StreamTree.slotsFor(maxChildren, bitrateKbps, null, true));
    }
    double u = random.nextDouble();
    int i = 0;
    while (i < cumulative.length - 1 && u >= cumulative[i]) {
      i++;
    }
    return new Uplink(true, StreamTree.slotsFor(maxChildren, bitrateKbps, uplinksKbps[i], true));
  }

  public double noUploadShare() {
    return noUploadShare;
  }

  /**
   * One viewer's uplink.
   *
   * @param uploads false for upload:false (a leaf from the start, never measured)
   * @param slots what its uplink carries, by {@link StreamTree#slotsFor}
   */
  public record Uplink(boolean uploads, int slots) {}

  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder(Math.round(noUploadShare * 100) + "% cannot upload; the others ");
    if (uplinksKbps.length == 0) {
      return s.append("declare no uplink (maxChildren slots)").toString();
    }
    for (int i = 0; i < uplinksKbps.length; i++) {
      double w = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
      s.append(i == 0 ? "" : ", ")
          .append(uplinksKbps[i])
          .append(" kbps ")
          .append(Math.round(w * 100))
          .append('%');
    }
    return s.toString();
  }
}

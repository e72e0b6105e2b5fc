package dev.waterfall.loadtest.relaytree;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What the measured window left behind: its bounds (wall-clock ms), the origin's DataChannel bytes
 * sent in it, the kills, when the origin completed each segment, and its number of children sampled
 * every 200 ms.
 */
record Window(
    long startMillis,
    long endMillis,
    double originSent,
    List<Kill> kills,
    Map<Long, Long> originAt,
    Histogram originChildren) {}

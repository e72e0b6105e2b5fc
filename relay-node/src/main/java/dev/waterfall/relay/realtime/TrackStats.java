package dev.waterfall.relay.realtime;

import java.util.Map;

/**
 * What a realtime booster has moved, counters since it started (they only rise): video frames and
 * bytes from its parents, video frames encoded and bytes sent to its children, and per child now
 * connected.
 */
public record TrackStats(
    long framesFromParent,
    long bytesFromParent,
    long framesSent,
    long bytesSent,
    Map<String, Child> children) {
  /** One child edge: video frames encoded for it, and bytes sent to it. */
  public record Child(long frames, long bytes) {}
}

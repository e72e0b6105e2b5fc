package dev.waterfall.coordinator.support;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The system clock, plus whatever a test has moved it forward by: time keeps running, and can jump.
 */
public final class TestClock extends Clock {
  private final AtomicLong offset = new AtomicLong();

  public void advance(long millis) {
    offset.addAndGet(millis);
  }

  @Override
  public long millis() {
    return System.currentTimeMillis() + offset.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}

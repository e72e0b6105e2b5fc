package dev.waterfall.relay;

import dev.waterfall.relay.source.MediaSegment;
import dev.waterfall.relay.source.SegmentSource;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the origin on a thread of its own: a paced source (the sample) is published at its own
 * rate, a live one as it arrives.
 */
final class SourcePump {
  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);

  private final SegmentSource source;
  private final Consumer<MediaSegment> publish;
  private final Thread thread;
  private volatile boolean stopping;

  SourcePump(SegmentSource source, Consumer<MediaSegment> publish) {
    this.source = source;
    this.publish = publish;
    this.thread = new Thread(this::loop, "waterfall-source");
  }

  void start() {
    thread.start();
  }

  /** From now on a failing source is the stop's doing, not an error; the loop ends at its turn. */
  void stopping() {
    stopping = true;
  }

  /** Wakes the thread and closes the source. */
  void close() {
    stopping = true;
    thread.interrupt();
    try {
      source.close();
    } catch (Exception e) {
      LOG.debug("closing the source: {}", e.toString());
    }
  }

  private void loop() {
    try {
      long due = System.nanoTime();
      while (!stopping) {
        Optional<MediaSegment> next = source.next();
        if (next.isEmpty()) {
          if (source.ended()) {
            LOG.info("the stream source has ended");
            return;
          }
          continue;
        }
        MediaSegment segment = next.get();
        if (source.pacedByCaller()) {
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          due =
              Math.max(due, System.nanoTime() - segment.durationMillis() * 1_000_000L)
                  + segment.durationMillis() * 1_000_000L;
        }
        publish.accept(segment);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      if (!stopping) {
        LOG.error("the stream source failed: {}", e.toString());
      }
    }
  }
}

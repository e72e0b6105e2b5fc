package dev.waterfall.loadtest.run;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live progress line on stderr: phase, done/total, rate, elapsed. Redrawn in place four times a
 * second by a daemon thread, so the measuring threads only bump a counter; stdout stays free for
 * the summary.
 */
public final class Progress implements AutoCloseable {
  private final PrintStream out;
  private final AtomicLong done = new AtomicLong();
  private final Thread painter;
  private volatile String phase = "";
  private volatile long total;
  private volatile long phaseStart = System.nanoTime();
  private volatile String extra = "";
  private volatile boolean closed;
  private int lastWidth;

  /**
   * On a terminal the line is redrawn in place; into a file or pipe, one line every few seconds
   * instead.
   */
  private final boolean inPlace;

  private long lastLinePrinted;

  public Progress(PrintStream out) {
    this(out, System.console() != null);
  }

  public Progress(PrintStream out, boolean inPlace) {
    this.out = out;
    this.inPlace = inPlace;
    this.painter = new Thread(this::paintLoop, "loadtest-progress");
    painter.setDaemon(true);
    painter.start();
  }

  /** Ends the previous phase's line and starts a new one. */
  public synchronized void phase(String name, long total) {
    if (!phase.isEmpty()) {
      paint(true);
      if (inPlace) {
        out.println();
      }
    }
    this.phase = name;
    this.total = total;
    this.extra = "";
    this.done.set(0);
    this.phaseStart = System.nanoTime();
    paint(true);
  }

  public void add(long n) {
    done.addAndGet(n);
  }

  public void step() {
    done.incrementAndGet();
  }

  /** Steps counted in the current phase (a client process passes them on to the parent's line). */
  public long done() {
    return done.get();
  }

  /** A short free-form status appended to the line (e.g. "errors 3"). */
  public void extra(String text) {
    this.extra = text;
  }

  private void paintLoop() {
    while (!closed) {
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      }
      paint(false);
    }
  }

  private synchronized void paint(boolean force) {
    if (closed || phase.isEmpty()) {
      return;
    }
    if (!inPlace && !force && System.nanoTime() - lastLinePrinted < 5_000_000_000L) {
      return;
    }
    long n = done.get();
    double secs = (System.nanoTime() - phaseStart) / 1e9;
    String line =
        String.format(
            "[%s] %,d%s  %,.0f/s  %.1fs%s",
            phase,
            n,
            total > 0 ? String.format("/%,d", total) : "",
            secs > 0 ? n / secs : 0,
            secs,
            extra.isEmpty() ? "" : "  " + extra);
    if (inPlace) {
      int pad = Math.max(0, lastWidth - line.length());
      out.print("\r" + line + " ".repeat(pad));
      lastWidth = line.length();
    } else {
      out.println(line);
      lastLinePrinted = System.nanoTime();
    }
    out.flush();
  }

  @Override
  public synchronized void close() {
    if (!phase.isEmpty()) {
      paint(true);
      if (inPlace) {
        out.println();
      }
    }
    closed = true;
    painter.interrupt();
  }
}

package dev.waterfall.loadtest.latency;

import dev.waterfall.relay.source.FfmpegCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A live source with the clock burnt in: a thread draws {@link ClockPicture} of the wall clock
 * {@code fps} times a second and writes it, raw, to ffmpeg's stdin; ffmpeg encodes it with the
 * product's own output arguments (the origin's LL-HLS fragments, or the HLS it pushes by PUT). The
 * picture is drawn as the frame is handed over, so what the page reads includes the encoder's
 * delay, as a camera's would.
 */
final class ClockEncoder implements AutoCloseable {
  private final Process process;
  private final OutputStream stdin;
  private final ScheduledExecutorService ticks;
  private volatile IOException failed;

  private ClockEncoder(Process process, int fps) {
    this.process = process;
    this.stdin = process.getOutputStream();
    this.ticks =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "clock-frames");
              t.setDaemon(true);
              return t;
            });
    ticks.scheduleAtFixedRate(this::frame, 0, 1_000_000_000L / fps, TimeUnit.NANOSECONDS);
  }

  /** ffmpeg reading raw clock frames, then {@code outputArgs}; its stderr to {@code log}. */
  static ClockEncoder start(List<String> outputArgs, int fps, Path log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command(FfmpegCommand.find(System.getenv("PATH")), fps, outputArgs))
            .redirectError(log.toFile());
    return new ClockEncoder(pb.start(), fps);
  }

  /**
   * Raw gray frames on stdin, read as they come: the smallest probe, so ffmpeg holds no frames back
   * before it starts. Pure.
   */
  static List<String> command(String ffmpeg, int fps, List<String> outputArgs) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ffmpeg,
                "-hide_banner",
                "-nostdin",
                "-nostats",
                "-loglevel",
                "warning",
                "-probesize",
                "32",
                "-analyzeduration",
                "0",
                "-fflags",
                "nobuffer",
                "-f",
                "rawvideo",
                "-pix_fmt",
                "gray",
                "-video_size",
                ClockPicture.WIDTH + "x" + ClockPicture.HEIGHT,
                "-framerate",
                Integer.toString(fps),
                "-i",
                "pipe:0"));
    cmd.addAll(outputArgs);
    return cmd;
  }

  private void frame() {
    if (failed != null) {
      return;
    }
    try {
      stdin.write(ClockPicture.frame(System.currentTimeMillis()));
      stdin.flush();
    } catch (IOException e) {
      failed = e; // ffmpeg went away: the origin notices its source ending
    }
  }

  InputStream stdout() {
    return process.getInputStream();
  }

  @Override
  public void close() {
    ticks.shutdownNow();
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

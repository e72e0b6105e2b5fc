package dev.waterfall.relay.cmaf;

import dev.waterfall.relay.source.FfmpegCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file encoded live by ffmpeg into fragmented MP4 on its stdout. Debian's ffmpeg 5.1 has no
 * LL-HLS muxer, so ffmpeg only writes short fragments (10 frames at a constant 30 fps, 1/3 s; a
 * keyframe every 2 s) and the origin cuts them into parts. {@code -tune zerolatency}: no B-frames
 * and no look-ahead, so a frame leaves the encoder as soon as it is in, which is what a part of 1/3
 * s needs.
 */
public final class FfmpegCmafSource implements CmafSource {
  private static final Logger LOG = LoggerFactory.getLogger(FfmpegCmafSource.class);

  private final Process process;
  private final FragmentReader reader;

  private FfmpegCmafSource(Process process) {
    this.process = process;
    this.reader = new FragmentReader(process.getInputStream());
  }

  /**
   * Starts ffmpeg on {@code input} (played in real time, looped if asked); fails if ffmpeg is
   * missing.
   */
  public static FfmpegCmafSource start(Path input, boolean loop, String videoBitrate)
      throws IOException {
    List<String> cmd =
        command(FfmpegCommand.find(System.getenv("PATH")), input, loop, videoBitrate);
    Process process = new ProcessBuilder(cmd).start();
    Thread log =
        new Thread(
            () -> {
              try (BufferedReader err =
                  new BufferedReader(
                      new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                  LOG.debug("ffmpeg (LL-HLS): {}", line);
                }
              } catch (IOException e) {
                // the process went away
              }
            },
            "ffmpeg-ll-log");
    log.setDaemon(true);
    log.start();
    return new FfmpegCmafSource(process);
  }

  /** The command line. Pure. */
  static List<String> command(String ffmpeg, Path input, boolean loop, String videoBitrate) {
    List<String> cmd =
        new ArrayList<>(
            List.of(ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-re"));
    if (loop) {
      cmd.addAll(List.of("-stream_loop", "-1"));
    }
    cmd.addAll(List.of("-i", input.toString()));
    cmd.addAll(outputArgs(videoBitrate));
    return cmd;
  }

  /**
   * What ffmpeg does with its first input: the encode and the fragmented MP4 on stdout. Public for
   * the loadtest's clock source, which feeds raw frames instead of a file. Pure.
   */
  public static List<String> outputArgs(String videoBitrate) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "-map",
                "0:v:0",
                "-map",
                "0:a:0?",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-tune",
                "zerolatency",
                "-pix_fmt",
                "yuv420p",
                "-r",
                "30",
                "-g",
                "60",
                "-keyint_min",
                "60",
                "-sc_threshold",
                "0"));
    if (videoBitrate != null) {
      cmd.addAll(List.of("-b:v", videoBitrate));
    }
    cmd.addAll(
        List.of(
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-ac",
            "2",
            "-ar",
            "48000",
            "-f",
            "mp4",
            "-movflags",
            "+frag_keyframe+empty_moov+default_base_moof",
            "-frag_duration",
            "333333",
            "pipe:1"));
    return cmd;
  }

  @Override
  public InitSegment init() throws IOException {
    return reader.init();
  }

  @Override
  public Optional<Fragment> next() throws IOException {
    return reader.next();
  }

  @Override
  public boolean pacedByCaller() {
    return false;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(3, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}

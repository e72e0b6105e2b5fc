package dev.waterfall.relay.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real ffmpeg in tests. */
final class Ffmpeg {

  /** A test pattern with a tone, small and fast to encode. */
  static final List<String> TEST_PATTERN =
      List.of(
          "-f",
          "lavfi",
          "-i",
          "testsrc2=size=320x180:rate=30",
          "-f",
          "lavfi",
          "-i",
          "sine=frequency=440:sample_rate=48000");

  static final List<String> ENCODE =
      List.of(
          "-c:v",
          "libx264",
          "-preset",
          "ultrafast",
          "-pix_fmt",
          "yuv420p",
          "-g",
          "60",
          "-keyint_min",
          "60",
          "-sc_threshold",
          "0",
          "-c:a",
          "aac",
          "-b:a",
          "64k");

  record Result(int exit, String output) {}

  private Ffmpeg() {}

  static Result run(List<String> args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                FfmpegSource.findFfmpeg(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y"));
    cmd.addAll(args);
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("ffmpeg did not finish: " + cmd);
    }
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /**
   * {@code seconds} of the test pattern pushed as HLS by PUT to {@code url}, as fast as ffmpeg
   * encodes.
   */
  static Result pushHls(int seconds, String url, String key)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(TEST_PATTERN);
    args.addAll(List.of("-t", Integer.toString(seconds)));
    args.addAll(ENCODE);
    args.addAll(
        List.of(
            "-f",
            "hls",
            "-hls_time",
            "2",
            "-hls_list_size",
            "3",
            "-hls_flags",
            "delete_segments",
            "-method",
            "PUT",
            "-headers",
            "Authorization: Bearer " + key + "\r\n",
            url));
    return run(args);
  }
}

package dev.waterfall.relay.source;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finding ffmpeg, and the command line {@link FfmpegSource} runs. Pure: no process is started here.
 */
public final class FfmpegCommand {

  static final String INSTALL_HINT =
      "ffmpeg was not found on PATH; it is needed for --input and --rtmp "
          + "(--sample needs no ffmpeg). Install it: on Debian/Ubuntu `sudo apt-get install -y ffmpeg`, on macOS "
          + "`brew install ffmpeg`, elsewhere from https://ffmpeg.org/download.html, then make sure `ffmpeg -version` "
          + "runs in the same shell.";

  private FfmpegCommand() {}

  /** ffmpeg is missing: the message says how to install it. */
  public static final class NotFoundException extends IllegalStateException {
    NotFoundException(String message) {
      super(message);
    }
  }

  /** The first executable {@code ffmpeg} on {@code searchPath} (a PATH-style list). */
  public static String find(String searchPath) {
    if (searchPath != null) {
      for (String dir : searchPath.split(File.pathSeparator)) {
        if (dir.isBlank()) {
          continue;
        }
        for (String name : List.of("ffmpeg", "ffmpeg.exe")) {
          Path candidate = Path.of(dir, name);
          if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
            return candidate.toString();
          }
        }
      }
    }
    throw new NotFoundException(INSTALL_HINT);
  }

  /**
   * ffmpeg reading the input and pushing HLS by PUT to {@code ingestUrl}: H.264 with a keyframe
   * forced at every segment boundary (so every segment starts decodable and segments come out at
   * the set length whatever the input's frame rate), AAC stereo, chunked PUTs with the bearer key.
   */
  public static List<String> build(
      String ffmpeg, FfmpegOptions options, String ingestUrl, String key) {
    List<String> cmd =
        new ArrayList<>(
            List.of(ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info"));
    if (options.isRtmp()) {
      // The RTMP gate checked the publisher's key and passes its audio and video on as FLV.
      cmd.addAll(List.of("-f", "flv", "-i", "pipe:0"));
    } else {
      cmd.add("-re"); // a file plays in real time, as a live stream would
      if (options.loop()) {
        cmd.addAll(List.of("-stream_loop", "-1"));
      }
      cmd.addAll(List.of("-i", options.input().toString()));
    }
    cmd.addAll(
        hlsPutArgs(
            options.segmentSeconds(),
            options.videoBitrate(),
            options.audioBitrate(),
            ingestUrl,
            key));
    return cmd;
  }

  /**
   * What {@link #build} does with its input: the encode and the HLS pushed by PUT. Public for the
   * loadtest's clock source, which feeds raw frames instead of a file. Pure.
   */
  public static List<String> hlsPutArgs(
      int seconds, String videoBitrate, String audioBitrate, String ingestUrl, String key) {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "-map",
            "0:v:0",
            "-map",
            "0:a:0?",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-force_key_frames",
            "expr:gte(t,n_forced*" + seconds + ")",
            "-sc_threshold",
            "0"));
    if (videoBitrate != null) {
      cmd.addAll(
          List.of(
              "-b:v", videoBitrate, "-maxrate", videoBitrate, "-bufsize", doubled(videoBitrate)));
    }
    cmd.addAll(
        List.of(
            "-c:a",
            "aac",
            "-b:a",
            audioBitrate,
            "-ac",
            "2",
            "-ar",
            "48000",
            "-f",
            "hls",
            "-hls_time",
            Integer.toString(seconds),
            "-hls_list_size",
            "6",
            "-hls_flags",
            "delete_segments",
            "-method",
            "PUT",
            "-headers",
            "Authorization: Bearer " + key + "\r\n",
            ingestUrl));
    return cmd;
  }

  /** "2500k" to "5000k": a two-second VBV buffer for the one-second rate. */
  static String doubled(String bitrate) {
    String digits = bitrate.replaceAll("[^0-9]", "");
    String unit = bitrate.replaceAll("[0-9]", "");
    if (digits.isEmpty() || digits.length() > 12 || !bitrate.matches("[0-9]+[kKmM]?")) {
      throw new IllegalArgumentException(
          "bitrate must look like 2500k or 3M, got '" + bitrate + "'");
    }
    return (Long.parseLong(digits) * 2) + unit;
  }
}

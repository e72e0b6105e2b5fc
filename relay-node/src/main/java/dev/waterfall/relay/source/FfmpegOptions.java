package dev.waterfall.relay.source;

import java.nio.file.Path;

/**
 * What {@link FfmpegSource} runs: either a file played in real time ({@code --input}, optionally
 * looped) or an RTMP listener that OBS or ffmpeg publishes to ({@code --rtmp}), encoded to
 * H.264/AAC in HLS segments.
 *
 * @param stream the stream name (also the RTMP path: {@code rtmp://bind:port/live/<stream>})
 * @param input the file, or null for RTMP
 * @param loop play the file again and again ({@code -stream_loop -1})
 * @param rtmpBind the address ffmpeg listens on for RTMP
 * @param rtmpPort the RTMP port, or 0 for file input
 * @param videoBitrate e.g. {@code "2500k"}; null lets x264 choose its default quality
 * @param audioBitrate e.g. {@code "128k"}
 * @param segmentSeconds HLS segment length; a keyframe is forced at every segment start
 * @param firstSequence the first media sequence published (see {@link IngestSource})
 * @param ffmpeg the executable, or null to look it up on PATH
 */
public record FfmpegOptions(
    String stream,
    Path input,
    boolean loop,
    String rtmpBind,
    int rtmpPort,
    String videoBitrate,
    String audioBitrate,
    int segmentSeconds,
    long firstSequence,
    String ffmpeg) {

  public static final String DEFAULT_AUDIO_BITRATE = "128k";
  public static final int DEFAULT_SEGMENT_SECONDS = 2;

  public FfmpegOptions {
    if (stream == null || stream.isEmpty()) {
      throw new IllegalArgumentException("a stream name is required");
    }
    if ((input == null) == (rtmpPort == 0)) {
      throw new IllegalArgumentException("give either an input file or an RTMP port");
    }
    if (rtmpPort < 0 || rtmpPort > 65535) {
      throw new IllegalArgumentException("RTMP port out of range: " + rtmpPort);
    }
    if (segmentSeconds < 1 || segmentSeconds > 10) {
      throw new IllegalArgumentException("segment length must be 1..10 s, got " + segmentSeconds);
    }
    if (videoBitrate != null && !videoBitrate.matches("[0-9]{1,9}[kKmM]?")) {
      throw new IllegalArgumentException(
          "video bitrate must look like 2500k or 3M, got '" + videoBitrate + "'");
    }
    if (audioBitrate == null || !audioBitrate.matches("[0-9]{1,9}[kKmM]?")) {
      throw new IllegalArgumentException(
          "audio bitrate must look like 128k, got '" + audioBitrate + "'");
    }
    if (firstSequence < 0) {
      throw new IllegalArgumentException("firstSequence must not be negative");
    }
  }

  /** {@code --input FILE [--loop]}. */
  public static FfmpegOptions file(String stream, Path input, boolean loop) {
    return new FfmpegOptions(
        stream,
        input,
        loop,
        null,
        0,
        null,
        DEFAULT_AUDIO_BITRATE,
        DEFAULT_SEGMENT_SECONDS,
        0,
        null);
  }

  /** {@code --rtmp PORT}: ffmpeg listens on {@code bind:port} for one publisher at a time. */
  public static FfmpegOptions rtmp(String stream, String bind, int port) {
    if (port < 1) {
      throw new IllegalArgumentException("RTMP port out of range: " + port);
    }
    return new FfmpegOptions(
        stream,
        null,
        false,
        bind,
        port,
        null,
        DEFAULT_AUDIO_BITRATE,
        DEFAULT_SEGMENT_SECONDS,
        0,
        null);
  }

  public boolean isRtmp() {
    return input == null;
  }

  public String rtmpUrl() {
    return "rtmp://" + rtmpBind + ":" + rtmpPort + "/live/" + stream;
  }

  public FfmpegOptions withVideoBitrate(String bitrate) {
    return new FfmpegOptions(
        stream,
        input,
        loop,
        rtmpBind,
        rtmpPort,
        bitrate,
        audioBitrate,
        segmentSeconds,
        firstSequence,
        ffmpeg);
  }

  public FfmpegOptions withFirstSequence(long sequence) {
    return new FfmpegOptions(
        stream,
        input,
        loop,
        rtmpBind,
        rtmpPort,
        videoBitrate,
        audioBitrate,
        segmentSeconds,
        sequence,
        ffmpeg);
  }

  public FfmpegOptions withFfmpeg(String executable) {
    return new FfmpegOptions(
        stream,
        input,
        loop,
        rtmpBind,
        rtmpPort,
        videoBitrate,
        audioBitrate,
        segmentSeconds,
        firstSequence,
        executable);
  }
}

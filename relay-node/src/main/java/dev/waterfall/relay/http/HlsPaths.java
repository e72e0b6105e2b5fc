package dev.waterfall.relay.http;

import dev.waterfall.relay.store.PlaylistBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The URL layout every relay-node serves and every fallback fetch asks for, in one place so server
 * and client cannot drift apart: {@code /hls/<stream>/index.m3u8}, {@code seg-<N>.ts}, {@code
 * seg-<N>.hdr} and {@code seg-<N>.ts/chunk/<i>}.
 */
public final class HlsPaths {

  public static final String PREFIX = "/hls/";
  public static final String PLAYLIST = "index.m3u8";
  public static final String HEADER_SUFFIX = ".hdr";
  public static final String CHUNK_DIR = "chunk";

  private HlsPaths() {}

  /** {@code /hls/<stream>/}: the directory the playlist's relative segment URIs resolve against. */
  public static String streamDir(String stream) {
    // URLEncoder writes '+' for a space, which a path does not decode back: use %20.
    return PREFIX + URLEncoder.encode(stream, StandardCharsets.UTF_8).replace("+", "%20") + "/";
  }

  public static String playlist(String stream) {
    return streamDir(stream) + PLAYLIST;
  }

  public static String segment(String stream, long sequence) {
    return streamDir(stream) + PlaylistBuilder.segmentUri(sequence);
  }

  public static String header(String stream, long sequence) {
    return streamDir(stream) + "seg-" + sequence + HEADER_SUFFIX;
  }

  public static String chunk(String stream, long sequence, int index) {
    return segment(stream, sequence) + "/" + CHUNK_DIR + "/" + index;
  }

  /**
   * A base URL such as {@code http://127.0.0.1:8090/} without its trailing slashes, so paths can
   * follow it.
   */
  static String trimBase(String baseUrl) {
    String base = baseUrl.strip();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return base;
  }
}

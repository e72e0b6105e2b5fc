package dev.waterfall.relay.rtmp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A publisher's audio, video and metadata messages as an FLV stream, which is what they are: RTMP
 * carries FLV tag bodies. ffmpeg reads it from its standard input ({@code -f flv -i pipe:0}).
 */
final class FlvWriter {
  private final OutputStream out;

  FlvWriter(OutputStream out) throws IOException {
    this.out = out;
    // "FLV", version 1, audio and video present, header length 9, then PreviousTagSize0 = 0
    out.write(new byte[] {'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0});
  }

  /** One tag: {@code type} 8 audio, 9 video, 18 script data; {@code timestamp} in ms. */
  void tag(int type, long timestamp, byte[] body, int offset, int length) throws IOException {
    byte[] h = new byte[11];
    h[0] = (byte) type;
    h[1] = (byte) (length >> 16);
    h[2] = (byte) (length >> 8);
    h[3] = (byte) length;
    h[4] = (byte) (timestamp >> 16);
    h[5] = (byte) (timestamp >> 8);
    h[6] = (byte) timestamp;
    h[7] = (byte) (timestamp >> 24); // the extended byte holds bits 24-31
    out.write(h); // stream id: 0
    out.write(body, offset, length);
    int size = 11 + length;
    out.write(
        new byte[] {(byte) (size >> 24), (byte) (size >> 16), (byte) (size >> 8), (byte) size});
  }

  void flush() throws IOException {
    out.flush();
  }
}

package dev.waterfall.relay.rtmp;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Reassembles the messages of an RTMP chunk stream (the publisher's side, after the handshake):
 * basic and message headers of all four formats, extended timestamps, interleaved chunk streams and
 * the publisher's Set Chunk Size. Bounded: a message over {@link #SETUP_MESSAGE_BYTES} before
 * {@link #allowMedia()} (commands are small; a stranger must not make us allocate megabytes) or
 * {@link #MAX_MESSAGE_BYTES} after, a chunk size out of range or more than {@link
 * #MAX_CHUNK_STREAMS} chunk streams is a protocol error.
 */
final class ChunkReader {
  static final int MAX_MESSAGE_BYTES = 8 << 20;
  static final int SETUP_MESSAGE_BYTES = 64 << 10;
  private static final int MAX_CHUNK_STREAMS = 64;

  /** One whole message: its type id, message stream id, absolute timestamp (ms) and payload. */
  record Message(int type, int streamId, long timestamp, byte[] payload) {}

  /** What a chunk stream remembers from its last header (formats 1-3 reuse it). */
  private static final class ChunkStream {
    long timestamp;
    long delta;
    int length;
    int type;
    int streamId;
    boolean extended;
    byte[] payload;
    int filled;
  }

  private final DataInputStream in;
  private final Map<Integer, ChunkStream> streams = new HashMap<>();
  private int chunkSize = 128;
  private int maxMessageBytes = SETUP_MESSAGE_BYTES;
  private long bytesRead;

  ChunkReader(InputStream in) {
    this.in = new DataInputStream(in);
  }

  /** The publisher was admitted: video frames (a keyframe may be megabytes) may come now. */
  void allowMedia() {
    maxMessageBytes = MAX_MESSAGE_BYTES;
  }

  /** Bytes of chunk stream read so far (for acknowledgements). */
  long bytesRead() {
    return bytesRead;
  }

  /** The next whole message; EOFException when the publisher closed between messages. */
  Message next() throws IOException, RtmpException {
    while (true) {
      int first = u8();
      int fmt = first >> 6;
      int csid = first & 0x3f;
      if (csid == 0) {
        csid = 64 + u8();
      } else if (csid == 1) {
        int lo = u8();
        csid = 64 + lo + (u8() << 8);
      }
      ChunkStream cs = streams.get(csid);
      if (cs == null) {
        if (fmt != 0) {
          throw new RtmpException("chunk stream " + csid + " starts without a full header");
        }
        if (streams.size() >= MAX_CHUNK_STREAMS) {
          throw new RtmpException("too many chunk streams");
        }
        cs = new ChunkStream();
        streams.put(csid, cs);
      }
      boolean starts = cs.payload == null;
      if (fmt <= 2) {
        long ts = u24();
        if (fmt <= 1) {
          int length = (int) u24();
          int type = u8();
          if (length > maxMessageBytes) {
            throw new RtmpException("message of " + length + " bytes is over the limit");
          }
          cs.length = length;
          cs.type = type;
        }
        if (fmt == 0) {
          cs.streamId = Integer.reverseBytes(in.readInt()); // little-endian, the one field that is
          bytesRead += 4;
        }
        cs.extended = ts == 0xFFFFFF;
        if (cs.extended) {
          ts = u32();
        }
        if (!starts) {
          throw new RtmpException("a new header in the middle of a message");
        }
        if (fmt == 0) {
          cs.delta = 0;
          cs.timestamp = ts;
        } else {
          cs.delta = ts;
          cs.timestamp += ts;
        }
      } else {
        if (cs.extended) {
          u32(); // repeated with every chunk of a message whose header had one
        }
        if (starts) {
          cs.timestamp += cs.delta; // a new message with the previous one's header and delta
        }
      }
      if (starts) {
        cs.payload = new byte[cs.length];
        cs.filled = 0;
      }
      int n = Math.min(chunkSize, cs.length - cs.filled);
      in.readFully(cs.payload, cs.filled, n);
      bytesRead += n;
      cs.filled += n;
      if (cs.filled == cs.length) {
        Message m = new Message(cs.type, cs.streamId, cs.timestamp, cs.payload);
        cs.payload = null;
        if (m.type() == 1) {
          if (m.payload().length < 4) {
            throw new RtmpException("Set Chunk Size without its size");
          }
          int size = java.nio.ByteBuffer.wrap(m.payload()).getInt() & 0x7fffffff;
          if (size < 1 || size > 1 << 24) {
            throw new RtmpException("chunk size " + size + " out of range");
          }
          chunkSize = size;
        }
        return m;
      }
    }
  }

  private int u8() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException();
    }
    bytesRead++;
    return b;
  }

  private long u24() throws IOException {
    return ((long) u8() << 16) | (u8() << 8) | u8();
  }

  private long u32() throws IOException {
    bytesRead += 4;
    return in.readInt() & 0xffffffffL;
  }
}

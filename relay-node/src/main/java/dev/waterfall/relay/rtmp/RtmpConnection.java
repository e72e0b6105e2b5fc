package dev.waterfall.relay.rtmp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RTMP publisher on the gate: the server's side of the handshake and of {@code connect}, {@code
 * releaseStream}, {@code FCPublish}, {@code createStream} and {@code publish} (what OBS, ffmpeg and
 * librtmp send), the key check at {@code publish}, then its audio, video and metadata into the
 * encoder as FLV until it leaves. Media before an admitted {@code publish} ends the connection:
 * nothing reaches the encoder before the key is checked.
 */
final class RtmpConnection {
  private static final Logger LOG = LoggerFactory.getLogger(RtmpConnection.class);
  private static final int HANDSHAKE = 1536;

  /** Until publishing: the whole exchange takes milliseconds; a silent socket is dropped. */
  private static final int SETUP_TIMEOUT_MS = 10_000;

  /** Publishing: an encoder sends every frame; this long without a byte, it is gone. */
  private static final int PUBLISHING_TIMEOUT_MS = 30_000;

  private static final int OUT_CHUNK_SIZE = 4096;
  private static final int WINDOW = 2_500_000;

  private Socket socket;
  private final RtmpGate gate;
  private OutputStream out;
  private int outChunkSize = 128;
  private long ackWindow = WINDOW;
  private long acked;
  private FlvWriter flv;
  private ChunkReader reader;
  private OutputStream encoderIn;

  RtmpConnection(Socket socket, RtmpGate gate) {
    this.socket = socket;
    this.gate = gate;
  }

  void run() {
    String who = gate.show(socket);
    try {
      socket.setSoTimeout(SETUP_TIMEOUT_MS);
      socket.setTcpNoDelay(true);
      socket = gate.secured(socket); // TLS's handshake under the same deadline
      InputStream in = socket.getInputStream();
      out = new BufferedOutputStream(socket.getOutputStream());
      handshake(new DataInputStream(in));
      reader = new ChunkReader(in);
      while (true) {
        ChunkReader.Message m;
        try {
          m = reader.next();
        } catch (EOFException e) {
          return;
        }
        if (reader.bytesRead() - acked >= ackWindow) {
          acked = reader.bytesRead();
          control(3, ByteBuffer.allocate(4).putInt((int) acked).array());
        }
        if (!handle(m, who)) {
          return;
        }
      }
    } catch (SocketTimeoutException e) {
      LOG.info("RTMP {}: silent for too long, closed", who);
    } catch (RtmpException e) {
      LOG.warn("RTMP {}: {}; closed", who, e.getMessage());
    } catch (IOException e) {
      LOG.info("RTMP {}: {}", who, e.toString());
    } finally {
      endPublishing(who);
      RtmpGate.closeQuietly(socket); // on RTMPS, TLS's close_notify before the gate closes the TCP
    }
  }

  private void handshake(DataInputStream in) throws IOException, RtmpException {
    int version = in.readUnsignedByte();
    if (version != 3) {
      throw new RtmpException("not RTMP (handshake version " + version + ")");
    }
    byte[] c1 = new byte[HANDSHAKE];
    in.readFully(c1);
    byte[] s1 = new byte[HANDSHAKE];
    new SecureRandom().nextBytes(s1);
    for (int i = 0; i < 8; i++) {
      s1[i] = 0; // time and zero
    }
    out.write(3);
    out.write(s1);
    out.write(c1); // S2 echoes C1
    out.flush();
    in.readFully(new byte[HANDSHAKE]); // C2: its echo of S1, not checked (clients differ)
  }

  /** False when the connection should end. */
  private boolean handle(ChunkReader.Message m, String who) throws IOException, RtmpException {
    switch (m.type()) {
      case 5 -> {
        if (m.payload().length >= 4) {
          long size = ByteBuffer.wrap(m.payload()).getInt() & 0xffffffffL;
          ackWindow = Math.max(1, size);
        }
        return true;
      }
      case 1, 2, 3, 4, 6 -> {
        return true; // chunk size (the reader applied it), abort, ack, user control, bandwidth
      }
      case 20 -> {
        return command(m, who);
      }
      case 8, 9, 18 -> {
        if (flv == null) {
          throw new RtmpException("media before an admitted publish");
        }
        media(m);
        return true;
      }
      default -> {
        return true; // AMF3 variants, shared objects: not what a publisher needs
      }
    }
  }

  private boolean command(ChunkReader.Message m, String who) throws IOException, RtmpException {
    List<Object> v = Amf0.decodeAll(m.payload());
    if (v.size() < 2 || !(v.get(0) instanceof String name) || !(v.get(1) instanceof Double tx)) {
      throw new RtmpException("a command without its name and transaction id");
    }
    switch (name) {
      case "connect" -> {
        control(5, ByteBuffer.allocate(4).putInt(WINDOW).array()); // window acknowledgement size
        control(6, ByteBuffer.allocate(5).putInt(WINDOW).put((byte) 2).array()); // peer bandwidth
        control(1, ByteBuffer.allocate(4).putInt(OUT_CHUNK_SIZE).array());
        outChunkSize = OUT_CHUNK_SIZE;
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("fmsVer", "FMS/3,0,1,123");
        props.put("capabilities", 31);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("level", "status");
        info.put("code", "NetConnection.Connect.Success");
        info.put("description", "Connection succeeded.");
        info.put("objectEncoding", 0);
        send(3, 20, 0, Amf0.encode("_result", tx, props, info));
      }
      case "releaseStream", "FCPublish" -> send(3, 20, 0, Amf0.encode("_result", tx, null));
      case "createStream" -> send(3, 20, 0, Amf0.encode("_result", tx, null, 1));
      case "publish" -> {
        String streamKey = v.size() > 3 && v.get(3) instanceof String s ? s : "";
        // OBS and ffmpeg send the bare key; some encoders append "?query": the key is before it
        int q = streamKey.indexOf('?');
        String presented = q >= 0 ? streamKey.substring(0, q) : streamKey;
        if (!gate.admits(presented)) {
          LOG.warn("RTMP {}: refused for '{}': wrong stream key", who, gate.stream());
          status(m.streamId(), "error", "NetStream.Publish.BadName", "wrong stream key");
          return false;
        }
        if (!gate.publishing.compareAndSet(false, true)) {
          LOG.warn("RTMP {}: refused for '{}': another publisher is live", who, gate.stream());
          status(m.streamId(), "error", "NetStream.Publish.BadName", "already publishing");
          return false;
        }
        try {
          encoderIn = gate.encoder().open();
          flv = new FlvWriter(encoderIn);
        } catch (IOException e) {
          gate.publishing.set(false);
          encoderIn = null;
          status(m.streamId(), "error", "NetStream.Publish.Failed", "the encoder did not start");
          throw e;
        }
        socket.setSoTimeout(PUBLISHING_TIMEOUT_MS);
        reader.allowMedia();
        LOG.info("RTMP {}: publishing '{}'", who, gate.stream());
        status(m.streamId(), "status", "NetStream.Publish.Start", "publishing");
      }
      case "FCUnpublish", "deleteStream", "closeStream" -> {
        return flv == null; // before publishing: ignored; after: the publisher is done
      }
      default -> {
        // anything else a client may send (e.g. getStreamLength, _checkbw): no answer needed
      }
    }
    return true;
  }

  private void media(ChunkReader.Message m) throws IOException {
    byte[] p = m.payload();
    int offset = 0;
    if (m.type() == 18) {
      // "@setDataFrame" wraps the metadata in RTMP; an FLV script tag starts at "onMetaData"
      byte[] marker = "@setDataFrame".getBytes(StandardCharsets.US_ASCII);
      if (p.length > 3 + marker.length
          && p[0] == 0x02
          && p[1] == 0
          && p[2] == marker.length
          && java.util.Arrays.equals(p, 3, 3 + marker.length, marker, 0, marker.length)) {
        offset = 3 + marker.length;
      }
    }
    flv.tag(m.type(), m.timestamp(), p, offset, p.length - offset);
    flv.flush();
  }

  private void status(int streamId, String level, String code, String description)
      throws IOException {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("level", level);
    info.put("code", code);
    info.put("description", description);
    send(5, 20, streamId, Amf0.encode("onStatus", 0, null, info));
  }

  private void control(int type, byte[] body) throws IOException {
    send(2, type, 0, body);
  }

  /** One message: a type 0 chunk header, then type 3 continuation chunks. */
  private void send(int csid, int type, int streamId, byte[] body) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(csid); // format 0
    b.writeBytes(new byte[] {0, 0, 0}); // timestamp
    b.write(body.length >> 16);
    b.write(body.length >> 8);
    b.write(body.length);
    b.write(type);
    b.writeBytes(ByteBuffer.allocate(4).putInt(Integer.reverseBytes(streamId)).array());
    for (int pos = 0; pos < body.length; pos += outChunkSize) {
      if (pos > 0) {
        b.write(0xC0 | csid);
      }
      b.write(body, pos, Math.min(outChunkSize, body.length - pos));
    }
    out.write(b.toByteArray());
    out.flush();
  }

  private void endPublishing(String who) {
    if (encoderIn != null) {
      try {
        encoderIn.close(); // the encoder reads to the end and finishes its last segment
      } catch (IOException ignored) {
        // it is gone already
      }
      encoderIn = null;
      gate.publishing.set(false);
      LOG.info("RTMP {}: stopped publishing '{}'", who, gate.stream());
    }
  }
}

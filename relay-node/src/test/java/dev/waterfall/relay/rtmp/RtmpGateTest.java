package dev.waterfall.relay.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.protocol.LogAddresses;
import dev.waterfall.relay.key.PublishKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Hostile input to the RTMP gate: a clear refusal, no encoder, nobody else harmed. */
@DisplayName("the RTMP gate under bad input")
class RtmpGateTest {

  @Test
  @DisplayName(
      "random bytes into the chunk reader and AMF0 decoder fail only with their own errors")
  void randomBytesFailCleanly() throws Exception {
    Random random = new Random(16);
    for (int i = 0; i < 3000; i++) {
      byte[] bytes = new byte[random.nextInt(600)];
      random.nextBytes(bytes);
      try {
        ChunkReader reader = new ChunkReader(new ByteArrayInputStream(bytes));
        for (int m = 0; m < 50; m++) {
          Amf0.decodeAll(reader.next().payload());
        }
      } catch (RtmpException | EOFException expected) {
        // what bad input may cause, nothing else
      }
    }
  }

  @Test
  @DisplayName(
      "before publish a message header over 64 KiB is refused before anything is allocated")
  void bigMessagesBeforePublishAreRefused() {
    // format 0 header on chunk stream 3: timestamp 0, length 0x100000 (1 MiB), type 20, stream 0
    byte[] header = {0x03, 0, 0, 0, 0x10, 0, 0, 20, 0, 0, 0, 0};
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ChunkReader(new ByteArrayInputStream(header)).next())
        .isInstanceOf(RtmpException.class)
        .hasMessageContaining("over the limit");
  }

  @Test
  @DisplayName(
      "a client that is not RTMP is closed, opens no encoder, and the gate keeps listening")
  void notRtmpIsClosed() throws Exception {
    AtomicInteger opened = new AtomicInteger();
    RtmpGate.Encoder encoder =
        () -> {
          opened.incrementAndGet();
          return OutputStream.nullOutputStream();
        };
    try (RtmpGate gate =
        RtmpGate.start(
            "127.0.0.1", 0, "demo", new PublishKey("k"), encoder, LogAddresses.of(false))) {
      for (int i = 0; i < 3; i++) {
        try (Socket s = new Socket("127.0.0.1", gate.port())) {
          s.setSoTimeout(5000);
          s.getOutputStream()
              .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          InputStream in = s.getInputStream();
          assertThat(in.read()).as("closed without an answer").isEqualTo(-1);
        }
      }
      // RTMP's version byte and handshake, then media at once, before any publish: closed too
      try (Socket s = new Socket("127.0.0.1", gate.port())) {
        s.setSoTimeout(5000);
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.write(3);
        c.write(new byte[1536]);
        c.write(new byte[1536]);
        // a 4-byte video message (type 9) on chunk stream 4, message stream 1
        c.writeBytes(new byte[] {0x04, 0, 0, 0, 0, 0, 4, 9, 1, 0, 0, 0, 1, 2, 3, 4});
        s.getOutputStream().write(c.toByteArray());
        InputStream in = s.getInputStream();
        assertThat(in.readNBytes(1 + 1536 + 1536)).hasSize(1 + 1536 + 1536); // S0 S1 S2
        assertThat(in.read()).as("closed: media before publish").isEqualTo(-1);
      }
      assertThat(opened.get()).isZero();
    }
  }
}

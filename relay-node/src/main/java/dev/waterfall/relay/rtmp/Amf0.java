package dev.waterfall.relay.rtmp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The slice of AMF0 an RTMP publisher's commands use: numbers, booleans, strings, objects, ECMA and
 * strict arrays, null and undefined. Decoding throws {@link RtmpException} on anything else or on
 * truncated input, never reads past the buffer.
 */
final class Amf0 {
  private static final int MAX_DEPTH = 8;

  private Amf0() {}

  /** Every value in {@code bytes}, in order. */
  static List<Object> decodeAll(byte[] bytes) throws RtmpException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    List<Object> values = new ArrayList<>();
    while (in.hasRemaining()) {
      values.add(value(in, 0));
    }
    return values;
  }

  private static Object value(ByteBuffer in, int depth) throws RtmpException {
    if (depth > MAX_DEPTH) {
      throw new RtmpException("AMF0 nested too deep");
    }
    int type = u8(in);
    switch (type) {
      case 0x00:
        need(in, 8);
        return in.getDouble();
      case 0x01:
        return u8(in) != 0;
      case 0x02:
        return string(in, u16(in));
      case 0x0C:
        return string(in, (int) Math.min(Integer.MAX_VALUE, in.getInt() & 0xffffffffL));
      case 0x03:
        return properties(in, depth);
      case 0x08:
        need(in, 4);
        in.getInt(); // the count is advisory; the end marker ends it
        return properties(in, depth);
      case 0x0A:
        need(in, 4);
        long count = in.getInt() & 0xffffffffL;
        if (count > in.remaining()) {
          throw new RtmpException("AMF0 array longer than its message");
        }
        List<Object> items = new ArrayList<>();
        for (long i = 0; i < count; i++) {
          items.add(value(in, depth + 1));
        }
        return items;
      case 0x0B:
        need(in, 10);
        double millis = in.getDouble();
        in.getShort();
        return millis;
      case 0x05:
      case 0x06:
        return null;
      default:
        throw new RtmpException("AMF0 type " + type + " not supported");
    }
  }

  private static Map<String, Object> properties(ByteBuffer in, int depth) throws RtmpException {
    Map<String, Object> map = new LinkedHashMap<>();
    while (true) {
      String name = string(in, u16(in));
      if (name.isEmpty()) {
        if (u8(in) != 0x09) {
          throw new RtmpException("AMF0 object without its end marker");
        }
        return map;
      }
      map.put(name, value(in, depth + 1));
    }
  }

  private static String string(ByteBuffer in, int length) throws RtmpException {
    need(in, length);
    byte[] b = new byte[length];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private static int u8(ByteBuffer in) throws RtmpException {
    need(in, 1);
    return in.get() & 0xff;
  }

  private static int u16(ByteBuffer in) throws RtmpException {
    need(in, 2);
    return in.getShort() & 0xffff;
  }

  private static void need(ByteBuffer in, int n) throws RtmpException {
    if (n < 0 || in.remaining() < n) {
      throw new RtmpException("AMF0 value cut short");
    }
  }

  /** Encodes numbers, booleans, strings, maps (as objects) and null. */
  static byte[] encode(Object... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object v : values) {
      write(out, v);
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, Object v) {
    if (v == null) {
      out.write(0x05);
    } else if (v instanceof Number n) {
      out.write(0x00);
      out.writeBytes(ByteBuffer.allocate(8).putDouble(n.doubleValue()).array());
    } else if (v instanceof Boolean b) {
      out.write(0x01);
      out.write(b ? 1 : 0);
    } else if (v instanceof String s) {
      out.write(0x02);
      writeName(out, s);
    } else if (v instanceof Map<?, ?> m) {
      out.write(0x03);
      for (Map.Entry<?, ?> e : m.entrySet()) {
        writeName(out, (String) e.getKey());
        write(out, e.getValue());
      }
      out.writeBytes(new byte[] {0, 0, 0x09});
    } else {
      throw new IllegalArgumentException("cannot encode " + v.getClass());
    }
  }

  private static void writeName(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >> 8);
    out.write(b.length);
    out.writeBytes(b);
  }
}

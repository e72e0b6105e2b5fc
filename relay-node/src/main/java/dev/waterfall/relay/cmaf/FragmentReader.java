package dev.waterfall.relay.cmaf;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads a fragmented MP4 byte stream (ffmpeg's {@code -movflags
 * +frag_keyframe+empty_moov+default_base_moof} on a pipe, or a file) box by box: first the init
 * segment (everything up to and including {@code moov}), then one {@link Fragment} per {@code moof}
 * + {@code mdat}. A fragment is handed out when its mdat has fully arrived, so a part never holds
 * half a sample. Boxes past the fragments ({@code mfra}) are skipped.
 */
public final class FragmentReader {

  /**
   * Larger top-level boxes are refused: a 2 s segment at 50 Mbit/s is ~12 MB, and garbage must not
   * allocate 4 GB.
   */
  static final long MAX_BOX = 64L << 20;

  private final InputStream in;
  private InitSegment init;

  public FragmentReader(InputStream in) {
    this.in = in;
  }

  /** The init segment, reading it first if need be. */
  public InitSegment init() throws IOException {
    if (init == null) {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (true) {
        byte[] box =
            nextBox()
                .orElseThrow(() -> new CmafFormatException("the stream ended before its 'moov'"));
        String type = type(box);
        if (type.equals("moof") || type.equals("mdat")) {
          throw new CmafFormatException(
              "'" + type + "' before 'moov': not a fragmented MP4 with an empty moov");
        }
        head.writeBytes(box);
        if (type.equals("moov")) {
          break;
        }
      }
      init = InitSegment.parse(head.toByteArray());
    }
    return init;
  }

  /** The next complete fragment, or empty at the end of the stream. */
  public Optional<Fragment> next() throws IOException {
    InitSegment header = init();
    ByteArrayOutputStream fragment = new ByteArrayOutputStream();
    boolean moof = false;
    while (true) {
      Optional<byte[]> next = nextBox();
      if (next.isEmpty()) {
        if (fragment.size() > 0 && moof) {
          throw new CmafFormatException("the stream ended inside a fragment");
        }
        return Optional.empty();
      }
      byte[] box = next.get();
      String type = type(box);
      switch (type) {
        case "moof" -> {
          moof = true;
          fragment.writeBytes(box);
        }
        case "mdat" -> {
          if (!moof) {
            throw new CmafFormatException("'mdat' without a 'moof' before it");
          }
          fragment.writeBytes(box);
          return Optional.of(Fragment.parse(fragment.toByteArray(), header));
        }
        case "styp", "prft", "emsg", "sidx" -> fragment.writeBytes(box);
        default -> {} // mfra, free, skip …: nothing a player of parts needs
      }
    }
  }

  private static String type(byte[] box) {
    return new String(box, 4, 4, StandardCharsets.ISO_8859_1);
  }

  /** One whole top-level box, or empty at a clean end of stream (between boxes). */
  private Optional<byte[]> nextBox() throws IOException {
    byte[] header = new byte[8];
    int first = in.readNBytes(header, 0, 8);
    if (first == 0) {
      return Optional.empty();
    }
    if (first < 8) {
      throw new CmafFormatException("the stream ended inside a box header");
    }
    long size = Mp4Box.u32(header, 0);
    byte[] large = null;
    if (size == 1) {
      large = in.readNBytes(8);
      if (large.length < 8) {
        throw new EOFException("the stream ended inside a 64-bit box size");
      }
      size = Mp4Box.u64(large, 0);
    }
    int headerSize = large == null ? 8 : 16;
    if (size < headerSize || size > MAX_BOX) {
      throw new CmafFormatException("top-level box '" + type(header) + "' has size " + size);
    }
    byte[] box = new byte[(int) size];
    System.arraycopy(header, 0, box, 0, 8);
    if (large != null) {
      System.arraycopy(large, 0, box, 8, 8);
    }
    int body = in.readNBytes(box, headerSize, box.length - headerSize);
    if (body < box.length - headerSize) {
      throw new CmafFormatException("the stream ended inside '" + type(header) + "'");
    }
    return Optional.of(box);
  }
}

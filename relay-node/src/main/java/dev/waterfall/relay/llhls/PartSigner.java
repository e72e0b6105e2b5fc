package dev.waterfall.relay.llhls;

import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.segment.SegmentSigner;
import java.util.ArrayList;
import java.util.List;

/**
 * The origin's side of parts in the tree: signs the init segment once and each part as it is cut
 * (its header with the SHA-256 of every 64 KiB chunk), and cuts it into PART_CHUNK frames.
 */
public final class PartSigner {
  private final SegmentSigner key;
  private final String stream;

  public PartSigner(SegmentSigner key, String stream) {
    this.key = key;
    this.stream = stream;
  }

  public SignedInit signInit(byte[] init) {
    SignedInit unsigned = new SignedInit(stream, init, new byte[64]);
    return new SignedInit(stream, init, key.signBytes(unsigned.record()));
  }

  public SignedPart sign(LlPart part, byte[] initSha256, long producedAtMillis) {
    int size = SegmentHeader.DEFAULT_CHUNK_SIZE;
    byte[] bytes = part.bytes();
    List<byte[]> hashes = new ArrayList<>();
    for (int off = 0; off < bytes.length; off += size) {
      hashes.add(
          SignedInit.sha256(
              java.util.Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + size))));
    }
    PartHeader header =
        new PartHeader(
            stream,
            part.id(),
            part.msn(),
            part.index(),
            (int) Math.max(1, Math.round(part.seconds() * 1e6)),
            part.independent(),
            initSha256,
            producedAtMillis,
            bytes.length,
            size,
            hashes);
    byte[] encoded = header.encode();
    return new SignedPart(header, encoded, key.signBytes(encoded));
  }

  /** The PART_CHUNK frames of a part's bytes, in order. */
  public static List<byte[]> chunkFrames(long partId, byte[] bytes) {
    int size = SegmentHeader.DEFAULT_CHUNK_SIZE;
    List<byte[]> frames = new ArrayList<>();
    for (int off = 0, i = 0; off < bytes.length; off += size, i++) {
      frames.add(PartFrame.chunk(partId, i, bytes, off, Math.min(size, bytes.length - off)));
    }
    return frames;
  }
}

package dev.waterfall.relay.llhls;

import dev.waterfall.relay.segment.SegmentVerifier;
import dev.waterfall.relay.segment.VerificationException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks parts against the stream's key, as {@link SegmentVerifier} checks segments: init records
 * and part headers by their Ed25519 signature and stream, a part header against the init segment
 * held (a part signed for another init is refused), chunks by index, length and SHA-256.
 */
public final class PartVerifier {
  private final SegmentVerifier key;
  private final String stream;

  public PartVerifier(SegmentVerifier key, String stream) {
    this.key = key;
    this.stream = stream;
  }

  public SignedInit verify(SignedInit init) {
    if (!key.validSignature(init.record(), init.signature())) {
      throw new VerificationException("bad signature on the init segment");
    }
    checkStream(init.stream());
    return init;
  }

  /**
   * The header, if well signed, of this stream and for the init segment whose SHA-256 is {@code
   * initSha256}.
   */
  public PartHeader verify(SignedPart signed, byte[] initSha256) {
    if (!key.validSignature(signed.encodedView(), signed.signatureView())) {
      throw new VerificationException("bad signature on the header of part " + signed.partId());
    }
    PartHeader header = signed.header();
    checkStream(header.stream());
    if (initSha256 == null || !header.initIs(initSha256)) {
      throw new VerificationException(
          "part " + header.partId() + " was signed for another init segment");
    }
    return header;
  }

  public void verifyChunk(PartHeader header, int index, ByteBuffer bytes) {
    if (index < 0 || index >= header.chunkCount()) {
      throw new VerificationException(
          "chunk " + index + " of part " + header.partId() + " out of range");
    }
    if (bytes.remaining() != header.chunkLength(index)) {
      throw new VerificationException(
          "chunk "
              + index
              + " of part "
              + header.partId()
              + " has "
              + bytes.remaining()
              + " bytes");
    }
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes.duplicate());
      if (!MessageDigest.isEqual(digest.digest(), header.hashAt(index))) {
        throw new VerificationException(
            "chunk " + index + " of part " + header.partId() + " does not match its SHA-256");
      }
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private void checkStream(String named) {
    String expected = stream != null ? stream : key.expectedStream();
    if (expected != null && !expected.equals(named)) {
      throw new VerificationException(
          "signed for stream '" + named + "', expected '" + expected + "'");
    }
  }
}

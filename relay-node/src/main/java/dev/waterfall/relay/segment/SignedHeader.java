package dev.waterfall.relay.segment;

import java.util.Arrays;

/**
 * A header, its canonical bytes and the origin's Ed25519 signature over those bytes. The
 * constructor checks that {@code encoded} is exactly {@code header.encode()}, so the header a node
 * acts on is always the one signed. Holding a SignedHeader says nothing about the signature: {@link
 * SegmentVerifier} checks that.
 */
public record SignedHeader(SegmentHeader header, byte[] encoded, byte[] signature) {

  public static final int SIGNATURE_BYTES = 64;

  public SignedHeader {
    if (header == null || encoded == null || signature == null) {
      throw new SegmentFormatException("a signed header needs its header, bytes and signature");
    }
    if (signature.length != SIGNATURE_BYTES) {
      throw new SegmentFormatException(
          "an Ed25519 signature is " + SIGNATURE_BYTES + " bytes, got " + signature.length);
    }
    encoded = encoded.clone();
    signature = signature.clone();
    if (!Arrays.equals(header.encode(), encoded)) {
      throw new SegmentFormatException("header bytes do not match the header");
    }
  }

  /**
   * Parses what arrived on the wire; throws {@link SegmentFormatException} if the bytes are not a
   * header.
   */
  public static SignedHeader parse(byte[] encoded, byte[] signature) {
    return new SignedHeader(SegmentHeader.decode(encoded), encoded, signature);
  }

  public long sequence() {
    return header.sequence();
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Internal arrays, for the verifier and the frame codec, which only read them. */
  byte[] encodedView() {
    return encoded;
  }

  byte[] signatureView() {
    return signature;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedHeader s
        && Arrays.equals(encoded, s.encoded)
        && Arrays.equals(signature, s.signature);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(encoded) + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "SignedHeader[" + header + "]";
  }
}

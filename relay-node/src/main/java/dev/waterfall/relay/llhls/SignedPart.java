package dev.waterfall.relay.llhls;

import dev.waterfall.relay.segment.SegmentFormatException;
import dev.waterfall.relay.segment.SignedHeader;
import java.util.Arrays;

/**
 * A part header, its canonical bytes and the origin's Ed25519 signature over them; the constructor
 * checks the bytes are the header's, so the header a node acts on is the one signed. Holding one
 * says nothing about the signature: {@link PartVerifier} checks that.
 */
public record SignedPart(PartHeader header, byte[] encoded, byte[] signature) {

  public SignedPart {
    if (header == null || encoded == null || signature == null) {
      throw new SegmentFormatException("a signed part needs its header, bytes and signature");
    }
    if (signature.length != SignedHeader.SIGNATURE_BYTES) {
      throw new SegmentFormatException("an Ed25519 signature is 64 bytes, got " + signature.length);
    }
    encoded = encoded.clone();
    signature = signature.clone();
    if (!Arrays.equals(header.encode(), encoded)) {
      throw new SegmentFormatException("part header bytes do not match the header");
    }
  }

  public static SignedPart parse(byte[] encoded, byte[] signature) {
    return new SignedPart(PartHeader.decode(encoded), encoded, signature);
  }

  public long partId() {
    return header.partId();
  }

  @Override
  public byte[] encoded() {
    return encoded.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  byte[] encodedView() {
    return encoded;
  }

  byte[] signatureView() {
    return signature;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedPart s
        && Arrays.equals(encoded, s.encoded)
        && Arrays.equals(signature, s.signature);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(encoded) + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "SignedPart[" + header + "]";
  }
}

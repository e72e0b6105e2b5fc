package dev.waterfall.relay.segment;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Checks what a node receives against the stream's public key: headers by their Ed25519 signature,
 * chunks by index, length and SHA-256 against a header that was verified first. Thread-safe and
 * allocation-light.
 */
public final class SegmentVerifier {

  private final PublicKey publicKey;
  private final String expectedStream;

  /** Accepts headers of any stream signed with this key. */
  public SegmentVerifier(String publicKeyBase64) {
    this(publicKeyBase64, null);
  }

  /**
   * @param publicKeyBase64 X.509 SubjectPublicKeyInfo DER of an Ed25519 key, base64
   * @param expectedStream when not null, headers naming another stream are rejected even if well
   *     signed
   * @throws IllegalArgumentException when the key is not a base64 Ed25519 SPKI key
   */
  public SegmentVerifier(String publicKeyBase64, String expectedStream) {
    try {
      byte[] der = Base64.getDecoder().decode(publicKeyBase64.strip());
      this.publicKey =
          KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (IllegalArgumentException | NullPointerException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "not a base64 Ed25519 public key (X.509 SubjectPublicKeyInfo)", e);
    }
    this.expectedStream = expectedStream;
  }

  /** Whether {@code signature} is this key's Ed25519 signature over {@code bytes}. */
  public boolean validSignature(byte[] bytes, byte[] signature) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(publicKey);
      s.update(bytes);
      return s.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // e.g. a signature that is not a valid curve encoding
    }
  }

  /** The stream headers must name, or null when any is accepted. */
  public String expectedStream() {
    return expectedStream;
  }

  /** The header, if the signature covers its bytes; otherwise {@link VerificationException}. */
  public SegmentHeader verify(SignedHeader signed) {
    boolean valid;
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initVerify(publicKey);
      signature.update(signed.encodedView());
      valid = signature.verify(signed.signatureView());
    } catch (GeneralSecurityException e) {
      valid = false; // e.g. a signature that is not a valid curve encoding
    }
    if (!valid) {
      throw new VerificationException("bad signature on header of segment " + signed.sequence());
    }
    SegmentHeader header = signed.header();
    if (expectedStream != null && !expectedStream.equals(header.stream())) {
      throw new VerificationException(
          "header is for stream '" + header.stream() + "', expected '" + expectedStream + "'");
    }
    return header;
  }

  /**
   * Checks chunk {@code index} of a verified header; throws {@link VerificationException} if it is
   * not that.
   */
  public void verifyChunk(SegmentHeader header, int index, byte[] bytes) {
    verifyChunk(header, index, ByteBuffer.wrap(bytes));
  }

  /**
   * As {@link #verifyChunk(SegmentHeader, int, byte[])} for the buffer's remaining bytes (not
   * consumed).
   */
  public void verifyChunk(SegmentHeader header, int index, ByteBuffer bytes) {
    if (index < 0 || index >= header.chunkCount()) {
      throw new VerificationException(
          "chunk index "
              + index
              + " out of range: segment "
              + header.sequence()
              + " has "
              + header.chunkCount()
              + " chunks");
    }
    int expectedLength = header.chunkLength(index);
    if (bytes.remaining() != expectedLength) {
      throw new VerificationException(
          "chunk "
              + index
              + " of segment "
              + header.sequence()
              + " has "
              + bytes.remaining()
              + " bytes, expected "
              + expectedLength);
    }
    MessageDigest digest = sha256();
    digest.update(bytes.duplicate());
    // Not a secret: a plain comparison would do, but isEqual costs nothing and ends that
    // discussion.
    if (!MessageDigest.isEqual(digest.digest(), header.hashAt(index))) {
      throw new VerificationException(
          "chunk " + index + " of segment " + header.sequence() + " does not match its SHA-256");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

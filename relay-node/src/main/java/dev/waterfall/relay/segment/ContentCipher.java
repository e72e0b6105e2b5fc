package dev.waterfall.relay.segment;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * End-to-end encryption of a private stream's segments (docs/protocol.md "Encrypted segments"). The
 * origin cuts the plaintext into pieces of {@link #PIECE} bytes (64 KiB less the 16-byte GCM tag)
 * and seals piece {@code i} of segment {@code sequence} with AES-128-GCM under the stream's content
 * key, nonce = u64 sequence ‖ u32 i (big-endian, 12 bytes), no additional data. Sealed pieces are
 * exactly one 64 KiB chunk each (the last shorter), so the ciphertext is what the origin hashes,
 * signs and sends: relays verify and forward it unread. A fresh random key per origin run means a
 * nonce is never reused, even when a restarted encoder repeats sequence numbers.
 */
public final class ContentCipher {
  public static final int TAG = 16;
  public static final int PIECE = SegmentHeader.DEFAULT_CHUNK_SIZE - TAG;
  private final SecretKeySpec key;

  public ContentCipher(byte[] key) {
    if (key.length != 16 && key.length != 32) {
      throw new IllegalArgumentException("an AES-128 or AES-256 key");
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
  }

  public static ContentCipher generate() {
    byte[] k = new byte[16];
    new SecureRandom().nextBytes(k);
    return new ContentCipher(k);
  }

  public static ContentCipher fromBase64(String key) {
    return new ContentCipher(Base64.getDecoder().decode(key));
  }

  /** The key as sent in {@code join.contentKey}; only the coordinator's socket may see it. */
  public String keyBase64() {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  public byte[] encrypt(long sequence, byte[] plain) {
    int pieces = Math.max(1, (plain.length + PIECE - 1) / PIECE);
    ByteBuffer out = ByteBuffer.allocate(plain.length + pieces * TAG);
    for (int i = 0; i < pieces; i++) {
      int from = i * PIECE;
      out.put(
          run(Cipher.ENCRYPT_MODE, sequence, i, plain, from, Math.min(PIECE, plain.length - from)));
    }
    return out.array();
  }

  /**
   * Throws {@link GeneralSecurityException} (AEADBadTagException) for a wrong key or altered bytes.
   */
  public byte[] decrypt(long sequence, byte[] sealed) throws GeneralSecurityException {
    int chunk = SegmentHeader.DEFAULT_CHUNK_SIZE;
    ByteBuffer out =
        ByteBuffer.allocate(
            Math.max(0, sealed.length - ((sealed.length + chunk - 1) / chunk) * TAG));
    for (int i = 0, from = 0; from < sealed.length; i++, from += chunk) {
      out.put(
          cipher(Cipher.DECRYPT_MODE, sequence, i)
              .doFinal(sealed, from, Math.min(chunk, sealed.length - from)));
    }
    return out.array();
  }

  private byte[] run(int mode, long sequence, int index, byte[] data, int from, int length) {
    try {
      return cipher(mode, sequence, index).doFinal(data, from, length);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private Cipher cipher(int mode, long sequence, int index) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(
        mode,
        key,
        new GCMParameterSpec(
            TAG * 8, ByteBuffer.allocate(12).putLong(sequence).putInt(index).array()));
    return c;
  }
}

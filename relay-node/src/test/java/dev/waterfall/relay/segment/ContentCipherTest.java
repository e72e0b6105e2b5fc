package dev.waterfall.relay.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("content cipher: AES-GCM per 64 KiB chunk, nonce from (sequence, index)")
class ContentCipherTest {
  private final ContentCipher cipher = ContentCipher.generate();

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void sealedPiecesAreExactlyTheDataPlaneChunks() throws Exception {
    for (int n :
        new int[] {
          1, ContentCipher.PIECE - 1, ContentCipher.PIECE, ContentCipher.PIECE + 1, 500_000
        }) {
      byte[] plain = random(n);
      byte[] sealed = cipher.encrypt(7, plain);
      int pieces = (n + ContentCipher.PIECE - 1) / ContentCipher.PIECE;
      assertThat(sealed).hasSize(n + pieces * ContentCipher.TAG);
      // Every chunk but the last is one full 64 KiB chunk: the chunker's cut is the cipher's cut.
      assertThat(SegmentHeader.chunkCount(sealed.length, SegmentHeader.DEFAULT_CHUNK_SIZE))
          .isEqualTo(pieces);
      assertThat(cipher.decrypt(7, sealed)).isEqualTo(plain);
    }
  }

  @Test
  void theKeyTheSequenceAndEveryByteMatter() throws Exception {
    byte[] plain = random(200_000);
    byte[] sealed = cipher.encrypt(42, plain);
    assertThat(sealed).isNotEqualTo(cipher.encrypt(43, plain));
    assertThatThrownBy(() -> cipher.decrypt(43, sealed))
        .isInstanceOf(GeneralSecurityException.class);
    assertThatThrownBy(() -> ContentCipher.generate().decrypt(42, sealed))
        .isInstanceOf(GeneralSecurityException.class);
    byte[] flipped = sealed.clone();
    flipped[100_000] ^= 1;
    assertThatThrownBy(() -> cipher.decrypt(42, flipped))
        .isInstanceOf(GeneralSecurityException.class);
    // Chunks swapped within a segment fail too: the index is in the nonce.
    byte[] swapped = sealed.clone();
    System.arraycopy(sealed, 0, swapped, 65536, 65536);
    System.arraycopy(sealed, 65536, swapped, 0, 65536);
    assertThatThrownBy(() -> cipher.decrypt(42, swapped))
        .isInstanceOf(GeneralSecurityException.class);
    assertThat(ContentCipher.fromBase64(cipher.keyBase64()).decrypt(42, sealed)).isEqualTo(plain);
  }
}

package dev.waterfall.coordinator.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.waterfall.coordinator.streams.ViewerTokens.Verdict;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("viewer tokens: signed, expiring, bound to one stream")
class ViewerTokensTest {
  private static final byte[] SECRET =
      "cluster-secret-0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final StreamRecord SECRET_STREAM = stream("secret", "root-1");
  private static final long NOW = 1_800_000_000_000L;
  private final ViewerTokens tokens = new ViewerTokens(SECRET);

  private static StreamRecord stream(String name, String rootId) {
    return new StreamRecord(name, "hash", rootId, 3000, 4, true, 0, null, StreamRecord.HLS);
  }

  @Test
  void aTokenIsValidUntilItExpires() {
    String token = tokens.issue(SECRET_STREAM, NOW / 1000 + 60);
    assertThat(token).matches("v1\\.\\d+\\.[A-Za-z0-9_-]{43}");
    assertThat(tokens.check(SECRET_STREAM, token, NOW)).isEqualTo(Verdict.VALID);
    assertThat(tokens.check(SECRET_STREAM, token, NOW + 59_999)).isEqualTo(Verdict.VALID);
    assertThat(tokens.check(SECRET_STREAM, token, NOW + 60_000)).isEqualTo(Verdict.EXPIRED);
  }

  @Test
  void aTokenIsBoundToItsStreamAndToThatCreationOfIt() {
    String token = tokens.issue(SECRET_STREAM, NOW / 1000 + 60);
    assertThat(tokens.check(stream("other", "root-1"), token, NOW)).isEqualTo(Verdict.INVALID);
    // Deleted and created again under the same name: a new root id, so old tokens are void.
    assertThat(tokens.check(stream("secret", "root-2"), token, NOW)).isEqualTo(Verdict.INVALID);
  }

  @Test
  void forgedAndMalformedTokensAreInvalidAndMissingOnesMissing() {
    String token = tokens.issue(SECRET_STREAM, NOW / 1000 + 60);
    String[] parts = token.split("\\.");
    // A later expiry with the old signature, a flipped signature, another cluster's token, junk.
    assertThat(tokens.check(SECRET_STREAM, "v1." + (NOW / 1000 + 999_999) + "." + parts[2], NOW))
        .isEqualTo(Verdict.INVALID);
    char last = parts[2].charAt(42);
    String flipped =
        parts[0] + "." + parts[1] + "." + parts[2].substring(0, 42) + (last == 'A' ? 'B' : 'A');
    assertThat(tokens.check(SECRET_STREAM, flipped, NOW)).isEqualTo(Verdict.INVALID);
    String foreign =
        new ViewerTokens("another-cluster-secret-0123456789".getBytes(StandardCharsets.US_ASCII))
            .issue(SECRET_STREAM, NOW / 1000 + 60);
    assertThat(tokens.check(SECRET_STREAM, foreign, NOW)).isEqualTo(Verdict.INVALID);
    for (String junk :
        new String[] {
          "x",
          "v1..",
          "v1.12.abc",
          token + "x",
          "v2" + token.substring(2),
          "v1.99999999999999999999." + parts[2]
        }) {
      assertThat(tokens.check(SECRET_STREAM, junk, NOW)).as(junk).isEqualTo(Verdict.INVALID);
    }
    assertThat(tokens.check(SECRET_STREAM, null, NOW)).isEqualTo(Verdict.MISSING);
    assertThat(tokens.check(SECRET_STREAM, "", NOW)).isEqualTo(Verdict.MISSING);
  }
}

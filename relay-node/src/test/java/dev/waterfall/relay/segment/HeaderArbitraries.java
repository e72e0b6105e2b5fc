package dev.waterfall.relay.segment;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random valid headers for property tests (the frame tests use them too). */
public final class HeaderArbitraries {

  private HeaderArbitraries() {}

  public static Arbitrary<SegmentHeader> headers() {
    Arbitrary<String> streams =
        Arbitraries.strings()
            .ofMinLength(1)
            .ofMaxLength(20)
            .withChars("abcdefghijklmnopqrstuvwxyz0123456789-_éü");
    Arbitrary<Integer> chunkSizes = Arbitraries.of(1000, 4096, 65536);
    Arbitrary<Integer> lengths = Arbitraries.integers().between(1, 400_000);
    Arbitrary<Long> safe = Arbitraries.longs().between(0, SegmentHeader.MAX_SAFE_INTEGER);
    return Combinators.combine(
            streams,
            chunkSizes,
            lengths,
            safe,
            safe,
            Arbitraries.integers().between(1, 60_000),
            Arbitraries.of(true, false),
            Arbitraries.longs().between(1, SegmentHeader.MAX_SAFE_INTEGER))
        .as(
            (stream, chunkSize, length, sequence, produced, duration, discontinuity, discSeq) -> {
              List<byte[]> hashes = new ArrayList<>();
              for (int i = 0; i < SegmentHeader.chunkCount(length, chunkSize); i++) {
                byte[] hash = new byte[32];
                hash[i % 32] = (byte) i;
                hashes.add(hash);
              }
              return new SegmentHeader(
                  stream,
                  sequence,
                  duration,
                  length,
                  chunkSize,
                  hashes,
                  produced,
                  discontinuity,
                  discSeq);
            });
  }
}

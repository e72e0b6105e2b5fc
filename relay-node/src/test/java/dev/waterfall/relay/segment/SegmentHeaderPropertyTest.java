package dev.waterfall.relay.segment;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * jqwik properties (kept apart from JUnit classes: jqwik ignores JUnit annotations such
 * as @DisplayName).
 */
class SegmentHeaderPropertyTest {

  @Property(tries = 300)
  void roundTrips(@ForAll("headers") SegmentHeader header) {
    byte[] encoded = header.encode();
    assertThat(SegmentHeader.decode(encoded)).isEqualTo(header);
    assertThat(encoded.length).isLessThanOrEqualTo(SegmentHeader.MAX_ENCODED_BYTES);
  }

  @Property(tries = 500)
  void randomBytesOnlyFailWithFormatException(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      SegmentHeader.decode(bytes);
    } catch (SegmentFormatException expected) {
      // the only failure allowed
    }
  }

  @Provide
  Arbitrary<SegmentHeader> headers() {
    return HeaderArbitraries.headers();
  }
}

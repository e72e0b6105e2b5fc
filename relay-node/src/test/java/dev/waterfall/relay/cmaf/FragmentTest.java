package dev.waterfall.relay.cmaf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The box reader, init and fragment parsing on the committed CMAF sample, and on broken bytes. */
class FragmentTest {

  static byte[] sampleFile() throws IOException {
    try (var in = FragmentTest.class.getResourceAsStream(CmafSample.RESOURCE)) {
      return in.readAllBytes();
    }
  }

  static List<Fragment> fragments(byte[] file) throws IOException {
    FragmentReader reader = new FragmentReader(new ByteArrayInputStream(file));
    reader.init();
    List<Fragment> out = new ArrayList<>();
    for (Optional<Fragment> f = reader.next(); f.isPresent(); f = reader.next()) {
      out.add(f.get());
    }
    return out;
  }

  @Test
  @DisplayName(
      "the init segment names a 30 fps video track (timescale 15360) and a 48 kHz audio track")
  void initTracks() throws IOException {
    InitSegment init = new FragmentReader(new ByteArrayInputStream(sampleFile())).init();
    assertThat(init.tracks()).hasSize(2);
    assertThat(init.reference().video()).isTrue();
    assertThat(init.reference().timescale()).isEqualTo(15360);
    assertThat(init.tracks().values())
        .anySatisfy(
            t -> {
              assertThat(t.handler()).isEqualTo("soun");
              assertThat(t.timescale()).isEqualTo(48000);
            });
    assertThat(new String(init.bytes(), 4, 4)).isEqualTo("ftyp");
  }

  @Test
  @DisplayName(
      "fragments are 10 frames (1/3 s) from the trun/tfhd durations; every sixth starts on a keyframe")
  void fragmentDurationsAndKeyframes() throws IOException {
    List<Fragment> all = fragments(sampleFile());
    List<Fragment> video = all.stream().filter(f -> f.decodeTime() >= 0).toList();
    assertThat(video).hasSize(24); // 8 s
    for (int i = 0; i < video.size(); i++) {
      Fragment f = video.get(i);
      assertThat(f.duration()).as("fragment %d", i).isEqualTo(5120);
      assertThat(f.seconds()).isCloseTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(f.decodeTime()).isEqualTo(i * 5120L);
      assertThat(f.independent()).as("fragment %d", i).isEqualTo(i % 6 == 0);
    }
    // The AAC encoder's flush past the clip's end: audio only, no time on the video clock.
    assertThat(all.get(all.size() - 1).decodeTime()).isEqualTo(-1);
  }

  @Test
  @DisplayName("shifting moves each track's tfdt by its own offset and nothing else")
  void shiftDecodeTimes() throws IOException {
    byte[] file = sampleFile();
    InitSegment init = new FragmentReader(new ByteArrayInputStream(file)).init();
    Fragment first = fragments(file).get(1);
    byte[] moved = Fragment.shiftDecodeTimes(first.bytes(), Map.of(1, 122_880L, 2, 384_000L));
    Fragment again = Fragment.parse(moved, init);
    assertThat(again.decodeTime()).isEqualTo(first.decodeTime() + 122_880);
    assertThat(again.decodeTimes().get(2)).isEqualTo(first.decodeTimes().get(2) + 384_000);
    assertThat(again.duration()).isEqualTo(first.duration());
    assertThat(moved.length).isEqualTo(first.bytes().length);
  }

  @Test
  @DisplayName(
      "the looped sample's timeline keeps growing: loop 2 starts where loop 1 ends, on both tracks")
  void sampleLoops() {
    CmafSample sample = CmafSample.fromClasspath();
    Fragment previous = null;
    for (int i = 0; i < sample.fragmentsPerLoop() * 2 + 1; i++) {
      Fragment f = sample.next().orElseThrow();
      if (previous != null) {
        assertThat(f.decodeTime())
            .as("fragment %d", i)
            .isEqualTo(previous.decodeTime() + previous.duration());
      }
      if (i == sample.fragmentsPerLoop()) {
        assertThat(f.independent()).isTrue();
        assertThat(f.decodeTime()).isEqualTo(8 * 15360);
        assertThat(f.decodeTimes().get(2)).isEqualTo(8 * 48000);
      }
      previous = f;
    }
  }

  @Test
  @DisplayName("malformed boxes are refused with a message, never an index error")
  void malformed() throws IOException {
    byte[] file = sampleFile();
    InitSegment init = new FragmentReader(new ByteArrayInputStream(file)).init();
    Fragment f = fragments(file).get(0);
    byte[] truncated = Arrays.copyOf(f.bytes(), 100);
    assertThatThrownBy(() -> Fragment.parse(truncated, init))
        .isInstanceOf(CmafFormatException.class)
        .hasMessageContaining("size");
    byte[] huge = f.bytes().clone();
    huge[0] = 0x7F; // moof claims ~2 GB
    assertThatThrownBy(() -> Fragment.parse(huge, init)).isInstanceOf(CmafFormatException.class);
    assertThatThrownBy(() -> Fragment.parse(new byte[] {0, 0, 0, 8, 'f', 'r', 'e', 'e'}, init))
        .isInstanceOf(CmafFormatException.class)
        .hasMessageContaining("moof");
    assertThatThrownBy(() -> InitSegment.parse(new byte[] {0, 0, 0, 8, 'f', 't', 'y', 'p'}))
        .isInstanceOf(CmafFormatException.class)
        .hasMessageContaining("moov");
    assertThatThrownBy(() -> new FragmentReader(new ByteArrayInputStream(f.bytes())).init())
        .isInstanceOf(CmafFormatException.class)
        .hasMessageContaining("before 'moov'");
    byte[] cut = Arrays.copyOf(file, file.length / 2);
    assertThatThrownBy(() -> fragments(cut))
        .isInstanceOf(CmafFormatException.class)
        .hasMessageContaining("ended inside");
  }

  @Test
  @DisplayName(
      "trun's first-sample-flags, else the sample's own flags, else tfhd's default decide the keyframe")
  void keyframeFlags() throws IOException {
    byte[] file = sampleFile();
    InitSegment init = new FragmentReader(new ByteArrayInputStream(file)).init();
    // Fragment 0 carries first_sample_flags 0x02000000 (sync) over tfhd's default 0x01010000
    // (non-sync).
    assertThat(fragments(file).get(0).independent()).isTrue();
    byte[] altered = fragments(file).get(0).bytes().clone();
    // Rewrite that first_sample_flags to non-sync: the fragment must no longer be independent.
    int at = indexOf(altered, new byte[] {0x02, 0x00, 0x00, 0x00});
    altered[at] = 0x01;
    altered[at + 1] = 0x01;
    assertThat(Fragment.parse(altered, init).independent()).isFalse();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    // After trun's header: 'trun' + version/flags + count + data offset.
    int trun = 0;
    for (int i = 0; i + 4 <= haystack.length; i++) {
      if (haystack[i] == 't'
          && haystack[i + 1] == 'r'
          && haystack[i + 2] == 'u'
          && haystack[i + 3] == 'n') {
        trun = i;
        break;
      }
    }
    int at = trun + 4 + 4 + 4 + 4;
    assertThat(Arrays.copyOfRange(haystack, at, at + 4)).isEqualTo(needle);
    return at;
  }
}

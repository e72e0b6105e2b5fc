package dev.waterfall.loadtest.latency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the clock picture drawn for ffmpeg is what rt/clock.js's reader reads")
class ClockPictureTest {
  private static final Path CLOCK_JS =
      Path.of("..", "web-player", "src", "main", "web", "rt", "clock.js").toAbsolutePath();

  @Test
  @DisplayName(
      "clock.js's own readClock reads back the milliseconds drawn, across the 40-bit range")
  void clockJsReadsTheFrame(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(CLOCK_JS), "run from loadtest/ in the repository");
    assumeTrue(nodeRuns(), "node on PATH (web-player's tests need it too)");
    long[] times = {1_765_160_000_123L, 0L, (1L << 40) - 1, 0xAA_55AA_55AAL, 1L};
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < times.length; i++) {
      Files.write(dir.resolve("f" + i + ".gray"), ClockPicture.frame(times[i]));
      expected.append(Math.floorMod(times[i], 1L << 40)).append('\n');
    }
    // readClock draws the picture into a 320x240 scratch canvas and reads it back: a fake canvas
    // hands it the gray frame as RGBA.
    String script =
        """
        import { readFileSync } from 'node:fs';
        const { readClock } = await import(process.argv[2]);
        for (let i = 0; i < Number(process.argv[4]); i++) {
          const gray = readFileSync(process.argv[3] + '/f' + i + '.gray');
          const data = new Uint8ClampedArray(gray.length * 4);
          gray.forEach((v, j) => { data.set([v, v, v, 255], j * 4); });
          const scratch = { getContext: () => ({ drawImage() {}, getImageData: () => ({ data }) }) };
          console.log(String(readClock({}, scratch)));
        }
        """;
    Path mjs = dir.resolve("read.mjs");
    Files.writeString(mjs, script);
    Process p =
        new ProcessBuilder(
                "node",
                mjs.toString(),
                CLOCK_JS.toUri().toString(),
                dir.toString(),
                Integer.toString(times.length))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).isEqualTo(expected.toString());
  }

  @Test
  @DisplayName("40 time bits most significant first, then the low byte of their five bytes' sum")
  void bitLayout() {
    int[] bits = ClockPicture.bits(0x01_0203_0405L);
    StringBuilder s = new StringBuilder();
    for (int b : bits) {
      s.append(b);
    }
    assertThat(s.toString())
        .isEqualTo("00000001" + "00000010" + "00000011" + "00000100" + "00000101" + "00001111");
    byte[] frame = ClockPicture.frame(0x01_0203_0405L);
    // block 7 (the first byte's last bit) is white, block 0 black; block 8 starts row 2
    assertThat(frame[20 * 320 + 7 * 40 + 20] & 0xff).isEqualTo(255);
    assertThat(frame[20 * 320 + 20] & 0xff).isZero();
    assertThat(frame[(40 + 20) * 320 + 6 * 40 + 20] & 0xff).isEqualTo(255);
  }

  private static boolean nodeRuns() {
    try {
      return new ProcessBuilder("node", "--version").start().waitFor(10, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}

package dev.waterfall.loadtest.latency;

/**
 * rt/clock.js's picture of a wall clock, drawn here for ffmpeg: 320×240 8-bit gray, 48 blocks of
 * 40×40 px in 8 columns and 6 rows, left to right then top to bottom; white for 1. Bits: 40 bits of
 * the milliseconds (mod 2^40, most significant first), then the low 8 bits of the sum of those five
 * bytes. The page reads it back with clock.js's own reader. Pure.
 */
final class ClockPicture {
  static final int WIDTH = 320;
  static final int HEIGHT = 240;
  private static final int COLS = 8;
  private static final int BLOCK = 40;
  private static final int TIME_BITS = 40;

  private ClockPicture() {}

  /** The 48 bits clock.js draws for {@code millis}. */
  static int[] bits(long millis) {
    long t = Math.floorMod(millis, 1L << TIME_BITS);
    int[] bits = new int[TIME_BITS + 8];
    for (int i = 0; i < TIME_BITS; i++) {
      bits[i] = (int) ((t >>> (TIME_BITS - 1 - i)) & 1);
    }
    int sum = 0;
    for (int b = 0; b < TIME_BITS / 8; b++) {
      sum += (int) ((t >>> (TIME_BITS - 8 - 8 * b)) & 0xff);
    }
    for (int i = 0; i < 8; i++) {
      bits[TIME_BITS + i] = (sum >> (7 - i)) & 1;
    }
    return bits;
  }

  /** One gray frame (WIDTH × HEIGHT bytes, row by row) showing {@code millis}. */
  static byte[] frame(long millis) {
    byte[] px = new byte[WIDTH * HEIGHT];
    int[] bits = bits(millis);
    for (int i = 0; i < bits.length; i++) {
      if (bits[i] == 0) {
        continue;
      }
      int x0 = (i % COLS) * BLOCK;
      int y0 = (i / COLS) * BLOCK;
      for (int y = y0; y < y0 + BLOCK; y++) {
        java.util.Arrays.fill(px, y * WIDTH + x0, y * WIDTH + x0 + BLOCK, (byte) 255);
      }
    }
    return px;
  }
}

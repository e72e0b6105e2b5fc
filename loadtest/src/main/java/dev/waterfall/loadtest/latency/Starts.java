package dev.waterfall.loadtest.latency;

import java.util.ArrayList;
import java.util.List;

/**
 * Which stalls came while another page was starting: on a shared machine a page's start (module
 * loading, its first segments, its links) takes CPU from the pages already playing. Pure.
 */
final class Starts {
  private Starts() {}

  /**
   * One page: opened and first played (epoch ms; startedAt null if it never played) and its stalls
   * after that.
   */
  record Page(long openedAt, Long startedAt, List<Long> stalls) {}

  /**
   * For each page, its stalls that fall inside another page's start (opened to first playing, or to
   * {@code until} if that one never played).
   */
  static List<Integer> whileAnotherStarted(List<Page> pages, long until) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < pages.size(); i++) {
      int n = 0;
      for (long stall : pages.get(i).stalls()) {
        for (int j = 0; j < pages.size(); j++) {
          Page other = pages.get(j);
          long end = other.startedAt() == null ? until : other.startedAt();
          if (j != i && stall >= other.openedAt() && stall <= end) {
            n++;
            break;
          }
        }
      }
      out.add(n);
    }
    return out;
  }
}

package dev.waterfall.loadtest.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventQueueTest {
  @Test
  void pollsInTimeOrderAndEqualTimesInSchedulingOrder() {
    EventQueue d = new EventQueue();
    d.add(5.0, 1);
    d.add(1.0, 2);
    d.add(5.0, 3);
    d.add(3.0, 4);
    d.add(5.0, 0);
    List<Integer> order = new ArrayList<>();
    while (!d.isEmpty()) {
      order.add(d.poll());
    }
    assertThat(order).containsExactly(2, 4, 1, 3, 0);
  }

  @Test
  void manyRandomTimesComeOutSorted() {
    EventQueue d = new EventQueue();
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 50_000; i++) {
      d.add(Math.floor(r.nextDouble() * 1000), i); // many ties
    }
    double last = -1;
    int lastViewer = -1;
    while (!d.isEmpty()) {
      double t = d.peekTime();
      int v = d.poll();
      assertThat(t).isGreaterThanOrEqualTo(last);
      if (t == last) {
        assertThat(v).isGreaterThan(lastViewer); // viewers were scheduled in index order
      }
      last = t;
      lastViewer = v;
    }
  }
}

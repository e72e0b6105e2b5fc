package dev.waterfall.relay.http;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order in which {@link FallbackFetcher} tries its URLs: each fetch starts at the next URL in
 * turn, from a random offset so that boosters share the load, and a URL that served data failing
 * verification goes to the back of the line for {@link #DISTRUST_MILLIS}. Thread-safe.
 */
final class FallbackOrder {

  private static final Logger log = LoggerFactory.getLogger(FallbackFetcher.class);

  /** How long a URL that served bad data goes to the back of the line. */
  static final long DISTRUST_MILLIS = 60_000;

  private final Supplier<List<String>> fallbacks;
  private final AtomicInteger rotation =
      new AtomicInteger(ThreadLocalRandom.current().nextInt(1 << 20));
  private final Map<String, Long> distrustedUntil = new ConcurrentHashMap<>();

  /**
   * @param fallbacks asked again on every fetch, since the coordinator changes the list
   */
  FallbackOrder(Supplier<List<String>> fallbacks) {
    this.fallbacks = fallbacks;
  }

  /**
   * Makes the next fetch start at position {@code index} of the list: tests pin the order with it.
   */
  void startAt(int index) {
    rotation.set(index);
  }

  /** The URLs to try, starting at the next in turn; those that served bad data lately go last. */
  List<String> next() {
    List<String> listed;
    try {
      listed = fallbacks.get();
    } catch (RuntimeException e) {
      log.warn("fallback list unavailable", e);
      return List.of();
    }
    if (listed == null || listed.isEmpty()) {
      return List.of();
    }
    List<String> unique =
        new ArrayList<>(
            new LinkedHashSet<>(listed.stream().filter(u -> u != null && !u.isBlank()).toList()));
    if (unique.isEmpty()) {
      return List.of();
    }
    int start = Math.floorMod(rotation.getAndIncrement(), unique.size());
    List<String> trusted = new ArrayList<>(unique.size());
    List<String> distrusted = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < unique.size(); i++) {
      String url = unique.get((start + i) % unique.size());
      Long until = distrustedUntil.get(url);
      if (until != null && until <= now) {
        distrustedUntil.remove(url, until);
        until = null;
      }
      (until == null ? trusted : distrusted).add(url);
    }
    trusted.addAll(distrusted);
    return trusted;
  }

  /** {@code base} served data that failed verification: try it last for a while. */
  void distrust(String base) {
    distrustedUntil.put(base, System.currentTimeMillis() + DISTRUST_MILLIS);
  }
}

package dev.waterfall.relay.realtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The other end's ICE candidates for one edge: libwebrtc drops candidates that come before the
 * remote description, so until {@link #described} they wait here (at most {@code max}; more are
 * dropped), then go on in arrival order; after it, each goes on at once.
 */
final class RemoteCandidates<C> {
  private final int max;
  private final Consumer<C> add;
  private final List<C> pending = new ArrayList<>();
  private boolean described;

  RemoteCandidates(int max, Consumer<C> add) {
    this.max = max;
    this.add = add;
  }

  void offer(C candidate) {
    if (described) {
      add.accept(candidate);
    } else if (pending.size() < max) {
      pending.add(candidate);
    }
  }

  /** The remote description is set: the waiting candidates go on, and every later one at once. */
  void described() {
    described = true;
    for (C c : pending) {
      add.accept(c);
    }
    pending.clear();
  }

  boolean isDescribed() {
    return described;
  }

  /** The edge closed: the waiting ones are dropped. */
  void clear() {
    pending.clear();
  }

  int waiting() {
    return pending.size();
  }
}

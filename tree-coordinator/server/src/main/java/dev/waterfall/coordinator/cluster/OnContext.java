package dev.waterfall.coordinator.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Brings a Hazelcast result back onto a Vert.x context. The callback is handed straight to the context as an
 * executor: left to itself, Hazelcast 5.3 runs completion callbacks in the common ForkJoinPool, and on a
 * 2-core machine (parallelism 1) that means a brand-new thread per callback (measured: 2 thread starts per join).
 */
public final class OnContext {
  private OnContext() {}

  public static <T> Future<T> future(CompletionStage<T> stage, Context context) {
    Promise<T> promise = Promise.promise();
    Executor onContext = command -> context.runOnContext(v -> command.run());
    stage.whenCompleteAsync((value, error) -> {
      if (error != null) {
        promise.fail(error);
      } else {
        promise.complete(value);
      }
    }, onContext);
    return promise.future();
  }
}

package dev.waterfall.coordinator.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Brings a Hazelcast result back onto a Vert.x context. The callback is handed straight to the
 * context as an executor: left to itself, Hazelcast 5.3 runs completion callbacks in the common
 * ForkJoinPool, and on a 2-core machine (parallelism 1) that means a brand-new thread per callback
 * (measured: 2 thread starts per join).
 */
public final class OnContext {
  private OnContext() {}

  public static <T> Future<T> future(CompletionStage<T> stage, Context context) {
    Promise<T> promise = Promise.promise();
    Executor onContext = command -> context.runOnContext(v -> command.run());
    stage.whenCompleteAsync(
        (value, error) -> {
          if (error != null) {
            promise.fail(error);
          } else {
            promise.complete(value);
          }
        },
        onContext);
    return promise.future();
  }

  /**
   * As {@link #future}, for large results (a whole tree): Hazelcast decodes a result in the thread
   * that runs the callback, and decoding 50,000 nodes on the event loop would stall every socket it
   * serves (seen: 5.6 s for a 4,000-node tree on a loaded machine, after which the coordinator took
   * its own nodes for silent). So the value is decoded on a worker thread and only handed to the
   * context.
   */
  public static <T> Future<T> futureDecodedOffLoop(CompletionStage<T> stage, Context context) {
    Promise<T> promise = Promise.promise();
    Executor worker =
        command ->
            context.executeBlocking(
                () -> {
                  command.run();
                  return null;
                },
                false);
    stage.whenCompleteAsync(
        (value, error) ->
            context.runOnContext(
                v -> {
                  if (error != null) {
                    promise.fail(error);
                  } else {
                    promise.complete(value);
                  }
                }),
        worker);
    return promise.future();
  }
}

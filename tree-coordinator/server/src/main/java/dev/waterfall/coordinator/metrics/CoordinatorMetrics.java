package dev.waterfall.coordinator.metrics;

import dev.waterfall.coordinator.cluster.Outcomes.Shape;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Prometheus metrics of one coordinator: tree shape per stream, joins, repairs, placement latency,
 * errors.
 */
public final class CoordinatorMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, int[]> shapes = new ConcurrentHashMap<>();
  private final Counter joins;
  private final Counter leaves;
  private final Counter repairs;
  private final Counter nodesMoved;
  private final Counter resizes;
  private final Timer placement;

  public CoordinatorMetrics(Supplier<Number> sessions) {
    joins =
        Counter.builder("waterfall.joins").description("Nodes placed in a tree").register(registry);
    leaves =
        Counter.builder("waterfall.departures")
            .description("Nodes removed (leave, close or silence)")
            .register(registry);
    repairs =
        Counter.builder("waterfall.repairs")
            .description("Departures that re-attached children")
            .register(registry);
    nodesMoved =
        Counter.builder("waterfall.nodes.moved")
            .description("New tree edges made by repairs and moves")
            .register(registry);
    resizes =
        Counter.builder("waterfall.tree.resizes")
            .description(
                "Slot re-sizings asked of a tree (a measured uplink changed, or an earn check):"
                    + " each a mutation of the stream's entry, replayed on its backup")
            .register(registry);
    placement =
        Timer.builder("waterfall.placement")
            .description("Time to place a joining node in its tree")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(1))
            .register(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
    new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
    Gauge.builder("waterfall.sessions", sessions)
        .description("WebSockets joined on this coordinator")
        .register(registry);
  }

  public void joined(long nanos) {
    joins.increment();
    placement.record(Duration.ofNanos(nanos));
  }

  public void departed(int moves) {
    leaves.increment();
    if (moves > 0) {
      repairs.increment();
      nodesMoved.increment(moves);
    }
  }

  public void resized() {
    resizes.increment();
  }

  public void moved(int moves) {
    nodesMoved.increment(moves);
  }

  public void error(String code) {
    registry.counter("waterfall.signalling.errors", "code", code).increment();
  }

  /** Records a stream's size and depth as last seen after a change or a periodic refresh. */
  public void shape(String stream, Shape shape) {
    if (shape == null) {
      return;
    }
    int[] s =
        shapes.computeIfAbsent(
            stream,
            k -> {
              int[] holder = new int[2];
              Gauge.builder("waterfall.stream.nodes", holder, h -> h[0])
                  .tag("stream", k)
                  .description("Nodes in the stream's tree")
                  .register(registry);
              Gauge.builder("waterfall.stream.max.depth", holder, h -> h[1])
                  .tag("stream", k)
                  .description("Depth of the deepest node")
                  .register(registry);
              return holder;
            });
    s[0] = shape.size();
    s[1] = shape.maxDepth();
  }

  public void forget(String stream) {
    int[] s = shapes.remove(stream);
    if (s != null) {
      registry
          .find("waterfall.stream.nodes")
          .tag("stream", stream)
          .meters()
          .forEach(registry::remove);
      registry
          .find("waterfall.stream.max.depth")
          .tag("stream", stream)
          .meters()
          .forEach(registry::remove);
    }
  }

  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }
}

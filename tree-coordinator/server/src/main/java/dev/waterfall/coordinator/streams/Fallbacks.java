package dev.waterfall.coordinator.streams;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.waterfall.coordinator.cluster.OnContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per stream, the HTTP base URLs of the origin and the boosters that serve {@code /hls/<stream>/…}:
 * where a node fetches a chunk its parent did not deliver in time. An entry per stream, node id →
 * URL, changed atomically.
 */
public final class Fallbacks {
  private final IMap<String, LinkedHashMap<String, String>> map;
  private final Context context;

  public Fallbacks(HazelcastInstance hz, Context context) {
    this.map = hz.getMap("waterfall.fallbacks");
    this.context = context;
  }

  public Future<List<String>> add(String stream, String nodeId, String url) {
    return run(stream, new Change(List.of(nodeId), url));
  }

  public Future<List<String>> remove(String stream, Collection<String> nodeIds) {
    return nodeIds.isEmpty() ? list(stream) : run(stream, new Change(List.copyOf(nodeIds), null));
  }

  public Future<List<String>> list(String stream) {
    return OnContext.future(map.getAsync(stream), context)
        .map(m -> m == null ? List.of() : List.copyOf(m.values()));
  }

  public Future<Void> delete(String stream) {
    return OnContext.future(map.removeAsync(stream), context).mapEmpty();
  }

  private Future<List<String>> run(String stream, Change change) {
    return OnContext.future(map.submitToKey(stream, change), context);
  }

  /**
   * Adds one node's URL ({@code url} set) or removes nodes ({@code url} null); returns the URLs
   * after.
   */
  record Change(List<String> nodeIds, String url)
      implements EntryProcessor<String, LinkedHashMap<String, String>, List<String>>, Serializable {
    @Override
    public List<String> process(Map.Entry<String, LinkedHashMap<String, String>> entry) {
      LinkedHashMap<String, String> urls =
          entry.getValue() == null ? new LinkedHashMap<>() : entry.getValue();
      if (url != null) {
        urls.put(nodeIds.get(0), url);
      } else {
        nodeIds.forEach(urls::remove);
      }
      entry.setValue(urls);
      return new ArrayList<>(urls.values());
    }
  }
}

package dev.waterfall.coordinator.streams;

import dev.waterfall.coordinator.cluster.OnContext;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import com.hazelcast.map.EntryProcessor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.regex.Pattern;

/** Streams and booster tokens, cluster-wide in Hazelcast maps. Secrets are stored hashed. */
public final class StreamRegistry {
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  private final IMap<String, StreamRecord> streams;
  private final IMap<String, Long> boosterTokens;
  private final Context context;

  public StreamRegistry(HazelcastInstance hz, Context context) {
    this.streams = hz.getMap("waterfall.streams");
    this.boosterTokens = hz.getMap("waterfall.boosterTokens");
    this.context = context;
  }

  /** Stores the record unless the name is taken; true if it was stored. */
  public Future<Boolean> create(StreamRecord record) {
    return context.owner().executeBlocking(() -> streams.putIfAbsent(record.name(), record) == null, false);
  }

  public Future<StreamRecord> get(String name) {
    return OnContext.future(streams.getAsync(name), context);
  }

  public Future<List<StreamRecord>> list() {
    return context.owner().executeBlocking(() -> {
      List<StreamRecord> all = new ArrayList<>(streams.values());
      all.sort((a, b) -> a.name().compareTo(b.name()));
      return all;
    }, false);
  }

  /** Records the key the stream's origin signs with; the origin's join carries it. */
  public Future<StreamRecord> setOriginKeys(String name, String publicKey, String contentKey) {
    return OnContext.future(streams.submitToKey(name, new SetOriginKeys(publicKey, contentKey)), context);
  }

  record SetOriginKeys(String publicKey, String contentKey)
      implements EntryProcessor<String, StreamRecord, StreamRecord>, Serializable {
    @Override
    public StreamRecord process(Map.Entry<String, StreamRecord> entry) {
      if (entry.getValue() == null) {
        return null;
      }
      StreamRecord updated = entry.getValue().withOriginKeys(publicKey, contentKey);
      entry.setValue(updated);
      return updated;
    }
  }

  public Future<StreamRecord> delete(String name) {
    return OnContext.future(streams.removeAsync(name), context);
  }

  public Future<String> newBoosterToken() {
    String token = Credentials.newSecret();
    return OnContext.future(boosterTokens.putAsync(Credentials.hash(token), System.currentTimeMillis()),
        context).map(old -> token);
  }

  public Future<Boolean> revokeBoosterToken(String token) {
    return OnContext.future(boosterTokens.removeAsync(Credentials.hash(token)), context).map(v -> v != null);
  }

  public Future<Boolean> isBoosterToken(String token) {
    if (token == null || token.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return OnContext.future(boosterTokens.getAsync(Credentials.hash(token)), context).map(v -> v != null);
  }
}

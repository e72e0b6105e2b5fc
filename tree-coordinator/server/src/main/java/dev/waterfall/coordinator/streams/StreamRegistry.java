package dev.waterfall.coordinator.streams;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import dev.waterfall.coordinator.cluster.OnContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    return context
        .owner()
        .executeBlocking(() -> streams.putIfAbsent(record.name(), record) == null, false);
  }

  public Future<StreamRecord> get(String name) {
    return OnContext.future(streams.getAsync(name), context);
  }

  /**
   * The record as its partition holds it now, past this member's near cache: another member's
   * change reaches that cache only with Hazelcast's next invalidation batch (up to 10 s later), too
   * late for a rotated publish key.
   */
  public Future<StreamRecord> getFresh(String name) {
    return OnContext.future(streams.submitToKey(name, new ReadRecord()), context);
  }

  record ReadRecord()
      implements EntryProcessor<String, StreamRecord, StreamRecord>, ReadOnly, Serializable {
    @Override
    public StreamRecord process(Map.Entry<String, StreamRecord> entry) {
      return entry.getValue();
    }

    @Override
    public EntryProcessor<String, StreamRecord, StreamRecord> getBackupProcessor() {
      return null;
    }
  }

  public Future<List<StreamRecord>> list() {
    return context
        .owner()
        .executeBlocking(
            () -> {
              List<StreamRecord> all = new ArrayList<>(streams.values());
              all.sort((a, b) -> a.name().compareTo(b.name()));
              return all;
            },
            false);
  }

  /**
   * Records what the stream's origin announced in its join: its signing key, content key and
   * ingest.
   */
  public Future<StreamRecord> setOrigin(
      String name, String publicKey, String contentKey, StreamRecord.Ingest ingest) {
    return OnContext.future(
        streams.submitToKey(name, new SetOrigin(publicKey, contentKey, ingest)), context);
  }

  record SetOrigin(String publicKey, String contentKey, StreamRecord.Ingest ingest)
      implements EntryProcessor<String, StreamRecord, StreamRecord>, Serializable {
    @Override
    public StreamRecord process(Map.Entry<String, StreamRecord> entry) {
      if (entry.getValue() == null) {
        return null;
      }
      StreamRecord updated = entry.getValue().withOrigin(publicKey, contentKey, ingest);
      entry.setValue(updated);
      return updated;
    }
  }

  /**
   * Replaces the stream's publish key hash on the partition that owns it, so two coordinators
   * rotating at once end with one of the two keys, never a mix; null if there is no such stream.
   */
  public Future<StreamRecord> setPublishKeyHash(String name, String hash) {
    return OnContext.future(streams.submitToKey(name, new SetPublishKeyHash(hash)), context);
  }

  record SetPublishKeyHash(String hash)
      implements EntryProcessor<String, StreamRecord, StreamRecord>, Serializable {
    @Override
    public StreamRecord process(Map.Entry<String, StreamRecord> entry) {
      if (entry.getValue() == null) {
        return null;
      }
      StreamRecord updated = entry.getValue().withPublishKeyHash(hash);
      entry.setValue(updated);
      return updated;
    }
  }

  public Future<StreamRecord> delete(String name) {
    return OnContext.future(streams.removeAsync(name), context);
  }

  public Future<String> newBoosterToken() {
    String token = Credentials.newSecret();
    return OnContext.future(
            boosterTokens.putAsync(Credentials.hash(token), System.currentTimeMillis()), context)
        .map(old -> token);
  }

  public Future<Boolean> revokeBoosterToken(String token) {
    return OnContext.future(boosterTokens.removeAsync(Credentials.hash(token)), context)
        .map(v -> v != null);
  }

  public Future<Boolean> isBoosterToken(String token) {
    if (token == null || token.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return OnContext.future(boosterTokens.getAsync(Credentials.hash(token)), context)
        .map(v -> v != null);
  }
}

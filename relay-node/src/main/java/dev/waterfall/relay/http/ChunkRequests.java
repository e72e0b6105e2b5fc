package dev.waterfall.relay.http;

import dev.waterfall.relay.segment.SegmentHeader;
import dev.waterfall.relay.store.ChunkResult;
import dev.waterfall.relay.store.SegmentStore;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * One URL's try at the chunks of one segment still missing from the store: a Range request per run
 * of consecutive chunks, or {@code chunk/<i>} requests where a node holds the segment only partly.
 * What arrives goes through {@link SegmentStore#addChunk}, which verifies it.
 */
final class ChunkRequests {
  private final String stream;
  private final SegmentStore store;
  private final FallbackRequests http;

  /** Marks a URL that served data failing verification, and fails with {@code why}. */
  private final BiFunction<String, String, Future<Void>> distrust;

  ChunkRequests(
      String stream,
      SegmentStore store,
      FallbackRequests http,
      BiFunction<String, String, Future<Void>> distrust) {
    this.stream = stream;
    this.store = store;
    this.http = http;
    this.distrust = distrust;
  }

  /**
   * Succeeds once every wanted chunk is held; fails, so the next URL is tried, while some are
   * missing.
   */
  Future<Void> chunksFrom(
      String base, SegmentHeader header, TreeSet<Integer> wanted, Set<Integer> stored) {
    List<Integer> missing = stillMissing(header.sequence(), wanted);
    if (missing.isEmpty()) {
      return Future.succeededFuture();
    }
    Attempt attempt = new Attempt(base, header, stored);
    List<Future<Void>> runs = new ArrayList<>();
    for (List<Integer> run : runs(missing)) {
      runs.add(run.size() == 1 ? chunkFrom(attempt, run.get(0)) : rangeFrom(attempt, run));
    }
    return Future.join(runs)
        .transform(
            ignored -> {
              if (attempt.rejected.get()) {
                return distrust.apply(
                    base,
                    "served chunks of segment " + header.sequence() + " that failed verification");
              }
              if (attempt.gone.get() || stillMissing(header.sequence(), wanted).isEmpty()) {
                // complete, or evicted meanwhile: nothing left to ask anyone for
                return Future.succeededFuture();
              }
              Throwable cause =
                  runs.stream().filter(Future::failed).map(Future::cause).findFirst().orElse(null);
              return Future.failedFuture(
                  "incomplete from " + base + (cause == null ? "" : ": " + cause.getMessage()));
            });
  }

  /**
   * One request for consecutive chunks; a node holding the segment only partly answers 404, so ask
   * per chunk.
   */
  private Future<Void> rangeFrom(Attempt attempt, List<Integer> run) {
    SegmentHeader header = attempt.header;
    int first = header.chunkOffset(run.get(0));
    int last =
        header.chunkOffset(run.get(run.size() - 1))
            + header.chunkLength(run.get(run.size() - 1))
            - 1;
    String range = "bytes=" + first + "-" + last;
    // A server may ignore Range and send everything: allow the whole segment.
    return http.get(
            attempt.base, HlsPaths.segment(stream, header.sequence()), range, header.byteLength())
        .compose(
            response -> {
              byte[] body = response.body().getBytes();
              int bodyStart;
              if (response.statusCode() == 206) {
                String contentRange = response.getHeader("Content-Range");
                if (contentRange == null
                    || !contentRange.strip().startsWith("bytes " + first + "-" + last + "/")
                    || body.length != last - first + 1) {
                  return Future.failedFuture(
                      "unexpected range " + contentRange + " from " + attempt.base);
                }
                bodyStart = first;
              } else if (body.length == header.byteLength()) {
                bodyStart = 0;
              } else {
                return Future.failedFuture(
                    "segment of " + body.length + " bytes from " + attempt.base);
              }
              for (int index : run) {
                int from = header.chunkOffset(index) - bodyStart;
                keep(
                    attempt,
                    index,
                    Arrays.copyOfRange(body, from, from + header.chunkLength(index)));
              }
              return Future.<Void>succeededFuture();
            })
        .recover(
            failure ->
                failure instanceof HttpStatus status && (status.code == 404 || status.code == 416)
                    ? Future.join(run.stream().map(index -> chunkFrom(attempt, index)).toList())
                        .mapEmpty()
                    : Future.failedFuture(failure));
  }

  private Future<Void> chunkFrom(Attempt attempt, int index) {
    SegmentHeader header = attempt.header;
    return http.get(
            attempt.base,
            HlsPaths.chunk(stream, header.sequence(), index),
            null,
            header.chunkLength(index))
        .map(
            response -> {
              keep(attempt, index, response.body().getBytes());
              return null;
            });
  }

  private void keep(Attempt attempt, int index, byte[] bytes) {
    ChunkResult result = store.addChunk(attempt.header.sequence(), index, bytes);
    if (result == ChunkResult.STORED) {
      attempt.stored.add(index);
    } else if (result == ChunkResult.REJECTED) {
      attempt.rejected.set(true);
    } else if (result == ChunkResult.UNKNOWN_SEGMENT) {
      attempt.gone.set(true);
    }
  }

  /** One URL's try at one segment's chunks. */
  private static final class Attempt {
    final String base;
    final SegmentHeader header;
    final Set<Integer> stored;
    final AtomicBoolean rejected = new AtomicBoolean();
    final AtomicBoolean gone = new AtomicBoolean();

    Attempt(String base, SegmentHeader header, Set<Integer> stored) {
      this.base = base;
      this.header = header;
      this.stored = stored;
    }
  }

  private List<Integer> stillMissing(long sequence, Set<Integer> wanted) {
    List<Integer> missing = new ArrayList<>();
    for (Integer index : store.missingChunks(sequence)) {
      if (wanted.contains(index)) {
        missing.add(index);
      }
    }
    return missing;
  }

  /** Ascending indices grouped into runs of consecutive ones: each run is one Range request. */
  static List<List<Integer>> runs(List<Integer> ascending) {
    List<List<Integer>> runs = new ArrayList<>();
    List<Integer> run = new ArrayList<>();
    for (Integer index : ascending) {
      if (!run.isEmpty() && index != run.get(run.size() - 1) + 1) {
        runs.add(run);
        run = new ArrayList<>();
      }
      run.add(index);
    }
    if (!run.isEmpty()) {
      runs.add(run);
    }
    return runs;
  }
}

package dev.waterfall.relay.http;

import dev.waterfall.relay.llhls.PartFrame;
import dev.waterfall.relay.llhls.PartLedger;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LL-HLS gap filling over HTTP, per part: fetches a part's signed header ({@code part-<id>.hdr})
 * and its bytes ({@code part-<id>.m4s}), or the signed init ({@code init.hdr}), from the fallback
 * relays in turn; the {@link PartLedger} verifies what comes as if the parent had sent it, and the
 * frames it stored are handed on to be forwarded, so a subtree heals from one fetch. Called on the
 * node's context; answers arrive on it.
 */
public final class PartFetcher {
  static final long TIMEOUT_MS = 2000;

  /** A part is ~1/3 s; 8 MiB is far beyond any stream here, and caps a lying fallback. */
  static final int MAX_PART_BYTES = 8 << 20;

  private static final Pattern PART_URI =
      Pattern.compile("#EXT-X-PART:[^\\n]*URI=\"part-([0-9]+)\\.m4s\"");

  private final String stream;
  private final PartLedger ledger;
  private final FallbackOrder order;
  private final WebClient client;
  private final Set<Long> inFlight = new HashSet<>();
  private boolean initInFlight;
  private boolean latestInFlight;
  private final LongAdder bytesFetched = new LongAdder();
  private final LongAdder partsFetched = new LongAdder();

  public PartFetcher(
      Vertx vertx,
      String stream,
      PartLedger ledger,
      Supplier<List<String>> fallbacks,
      TrustOptions trust) {
    this.stream = stream;
    this.ledger = ledger;
    this.order = new FallbackOrder(fallbacks);
    WebClientOptions options =
        new WebClientOptions().setUserAgent("waterfall-relay").setConnectTimeout((int) TIMEOUT_MS);
    if (trust != null) {
      options.setTrustOptions(trust);
    }
    this.client = WebClient.create(vertx, options);
  }

  /** Makes the next fetch start at position {@code index} of the list: tests pin the order. */
  void startAt(int index) {
    order.startAt(index);
  }

  public long bytesFetched() {
    return bytesFetched.sum();
  }

  /** Parts completed from HTTP. */
  public long partsFetched() {
    return partsFetched.sum();
  }

  /**
   * The init segment, unless a fetch of it is under way. {@code absent} runs when every fallback
   * answered 404: none of them has LL-HLS parts for this stream (a failure to connect is not that).
   */
  public void fetchInit(Consumer<List<byte[]>> stored, Runnable absent) {
    if (initInFlight) {
      return;
    }
    initInFlight = true;
    int[] notFound = {0};
    List<String> bases = order.next();
    tryFrom(
            bases,
            0,
            base ->
                get(base, "init.hdr", 70_000)
                    .onFailure(
                        e -> {
                          if (e instanceof HttpStatus h && h.code == 404) {
                            notFound[0]++;
                          }
                        })
                    .map(
                        body -> {
                          PartFrame f = PartFrame.decode(body);
                          if (!(f instanceof PartFrame.Init i)
                              || ledger.addInit(i.signed()) == PartLedger.Result.REJECTED) {
                            throw new IllegalStateException("a bad init from " + base);
                          }
                          return List.of(body);
                        }))
        .onSuccess(stored::accept)
        .onFailure(
            e -> {
              if (!bases.isEmpty() && notFound[0] == bases.size()) {
                absent.run();
              }
            })
        .onComplete(x -> initInFlight = false);
  }

  /** Part {@code id}: its header unless held, then its bytes; each verified by the ledger. */
  public void fetchPart(long id, Consumer<List<byte[]>> stored) {
    if (!inFlight.add(id)) {
      return;
    }
    tryEach(base -> fetchPartFrom(base, id))
        .onSuccess(
            frames -> {
              partsFetched.increment();
              stored.accept(frames);
            })
        .onComplete(x -> inFlight.remove(id));
  }

  /**
   * The parent is silent: the parts a fallback's playlist lists past the newest held, so this node
   * (and its subtree) carries on from HTTP until the tree delivers again.
   */
  public void fetchLatest(Consumer<List<byte[]>> stored) {
    if (latestInFlight) {
      return;
    }
    latestInFlight = true;
    tryEach(
            base ->
                get(base, "index.m3u8", 1 << 20)
                    .map(
                        body -> {
                          List<Long> ids = new ArrayList<>();
                          Matcher m = PART_URI.matcher(new String(body, StandardCharsets.UTF_8));
                          while (m.find()) {
                            ids.add(Long.parseLong(m.group(1)));
                          }
                          return ids;
                        }))
        .onSuccess(
            ids -> {
              long newest = ledger.newestId();
              ids.stream()
                  .filter(id -> id > newest)
                  .skip(Math.max(0, ids.stream().filter(id -> id > newest).count() - 12))
                  .forEach(id -> fetchPart(id, stored));
            })
        .onComplete(x -> latestInFlight = false);
  }

  private Future<List<byte[]>> fetchPartFrom(String base, long id) {
    List<byte[]> out = new ArrayList<>();
    Future<Void> header =
        ledger.headerFrame(id).isPresent()
            ? Future.succeededFuture()
            : get(base, "part-" + id + ".hdr", 70_000)
                .map(
                    body -> {
                      PartFrame f = PartFrame.decode(body);
                      if (!(f instanceof PartFrame.Header h) || h.signed().partId() != id) {
                        throw new IllegalStateException("not the header of part " + id);
                      }
                      PartLedger.Result r =
                          ledger.addHeader(h.signed(), System.currentTimeMillis());
                      if (r == PartLedger.Result.STORED) {
                        out.add(body);
                      } else if (r != PartLedger.Result.DUPLICATE) {
                        throw new IllegalStateException("header of part " + id + ": " + r);
                      }
                      return null;
                    });
    return header
        .compose(v -> get(base, "part-" + id + ".m4s", MAX_PART_BYTES))
        .map(
            body -> {
              byte[] bytes = body;
              int size =
                  ledger
                      .headerFrame(id)
                      .map(
                          f ->
                              ((PartFrame.Header) PartFrame.decode(f))
                                  .signed()
                                  .header()
                                  .chunkSize())
                      .orElseThrow(() -> new IllegalStateException("part " + id + " is gone"));
              boolean bad = false;
              for (int i = 0, off = 0; off < bytes.length; i++, off += size) {
                byte[] chunk =
                    java.util.Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + size));
                PartLedger.Result r = ledger.addChunk(id, i, chunk);
                if (r == PartLedger.Result.STORED) {
                  out.add(PartFrame.chunk(id, i, chunk, 0, chunk.length));
                } else if (r != PartLedger.Result.DUPLICATE) {
                  bad = true;
                }
              }
              if (bad) {
                order.distrust(base);
                throw new IllegalStateException(
                    "part " + id + " from " + base + " failed its hashes");
              }
              return out;
            });
  }

  /** {@code attempt} on each fallback in turn until one succeeds. */
  private <T> Future<T> tryEach(java.util.function.Function<String, Future<T>> attempt) {
    List<String> bases = order.next();
    return tryFrom(bases, 0, attempt);
  }

  private <T> Future<T> tryFrom(
      List<String> bases, int i, java.util.function.Function<String, Future<T>> attempt) {
    if (i >= bases.size()) {
      return Future.failedFuture("no fallback had it");
    }
    Future<T> f;
    try {
      f = attempt.apply(bases.get(i));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.recover(e -> tryFrom(bases, i + 1, attempt));
  }

  private Future<byte[]> get(String base, String file, int maxBytes) {
    String url =
        HlsPaths.trimBase(base)
            + "/ll/"
            + URLEncoder.encode(stream, StandardCharsets.UTF_8).replace("+", "%20")
            + "/"
            + file;
    return client
        .getAbs(url)
        .connectTimeout(TIMEOUT_MS)
        .idleTimeout(TIMEOUT_MS)
        .as(new CappedBody(maxBytes))
        .send()
        .timeout(TIMEOUT_MS * 2, TimeUnit.MILLISECONDS)
        .compose(
            response -> {
              Buffer body = response.body();
              bytesFetched.add(body == null ? 0 : body.length());
              return response.statusCode() == 200 && body != null
                  ? Future.succeededFuture(body.getBytes())
                  : Future.failedFuture(new HttpStatus(response.statusCode(), url));
            });
  }
}

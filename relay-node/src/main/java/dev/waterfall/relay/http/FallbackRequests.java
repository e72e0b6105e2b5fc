package dev.waterfall.relay.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fallback fetches' HTTP: capped, timed GETs, and one attempt tried on each URL in turn until
 * one succeeds. Counts the bytes received and the attempts that fell through.
 */
final class FallbackRequests {
  private static final Logger log = LoggerFactory.getLogger(FallbackFetcher.class);

  /** A large range gets extra time beyond the timeout: 1 s per MiB on top. */
  private static final long BYTES_PER_EXTRA_MILLI = 1 << 10;

  private final WebClient client;
  private final long timeoutMillis;
  private final LongAdder bytesFetched = new LongAdder();
  private final LongAdder failures = new LongAdder();

  /** {@code trust}: what an https fallback's certificate is checked against (null: the JVM's). */
  FallbackRequests(Vertx vertx, long timeoutMillis, TrustOptions trust) {
    this.timeoutMillis = timeoutMillis;
    WebClientOptions options =
        new WebClientOptions()
            .setUserAgent("waterfall-relay")
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
    if (trust != null) {
      options.setTrustOptions(trust);
    }
    this.client = WebClient.create(vertx, options);
  }

  long bytesFetched() {
    return bytesFetched.sum();
  }

  long failures() {
    return failures.sum();
  }

  void close() {
    client.close();
  }

  /** A GET that succeeds only with 200 or 206 and a body within {@code maxBytes}. */
  Future<HttpResponse<Buffer>> get(String base, String path, String range, int maxBytes) {
    String url = HlsPaths.trimBase(base) + path;
    HttpRequest<Buffer> request =
        client
            .getAbs(url)
            .connectTimeout(timeoutMillis)
            .idleTimeout(timeoutMillis)
            .as(new CappedBody(maxBytes));
    if (range != null) {
      request.putHeader("Range", range);
    }
    long deadline = timeoutMillis + maxBytes / BYTES_PER_EXTRA_MILLI;
    return request
        .send()
        .timeout(deadline, TimeUnit.MILLISECONDS)
        .compose(
            response -> {
              Buffer body = response.body();
              bytesFetched.add(body == null ? 0 : body.length());
              int status = response.statusCode();
              if ((status == 200 || status == 206) && body != null) {
                return Future.succeededFuture(response);
              }
              return Future.failedFuture(new HttpStatus(status, url));
            });
  }

  /**
   * Tries {@code attempt} on each URL in turn until one succeeds; {@code none} when every one
   * failed.
   */
  <T> Future<T> firstThat(List<String> bases, Function<String, Future<T>> attempt, T none) {
    return tryFrom(bases, 0, attempt, none);
  }

  private <T> Future<T> tryFrom(
      List<String> bases, int i, Function<String, Future<T>> attempt, T none) {
    if (i >= bases.size()) {
      return Future.succeededFuture(none);
    }
    String base = bases.get(i);
    Future<T> result;
    try {
      result = attempt.apply(base);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.recover(
        failure -> {
          failures.increment();
          log.debug("fallback {} failed: {}", base, failure.toString());
          return tryFrom(bases, i + 1, attempt, none);
        });
  }
}

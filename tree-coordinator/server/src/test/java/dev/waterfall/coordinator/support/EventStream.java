package dev.waterfall.coordinator.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A Server-Sent Events subscriber over real HTTP: parses {@code event:}/{@code data:} blocks into a
 * queue.
 */
public final class EventStream implements AutoCloseable {
  public record Event(String name, JsonNode data) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Event END = new Event("<end of stream>", null);
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Stream<String> lines;
  public final HttpResponse<Stream<String>> response;

  private EventStream(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.lines = response.body();
    Thread reader = new Thread(this::read, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  public static EventStream open(String url) {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    try {
      return new EventStream(
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Accept", "text/event-stream")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofLines()));
    } catch (Exception e) {
      throw new AssertionError("could not open " + url, e);
    }
  }

  private void read() {
    String name = "message";
    StringBuilder data = new StringBuilder();
    try {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(name, JSON.readTree(data.toString())));
          }
          name = "message";
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          name = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        }
      }
    } catch (Exception e) {
      // closed by the test or the server
    }
    events.add(END);
  }

  /**
   * The next event that is {@code name} and matches; fails with the last ones seen after the
   * timeout.
   */
  public Event await(String name, Predicate<JsonNode> wanted, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<Event> seen = new ArrayList<>();
    try {
      while (true) {
        long left = deadline - System.currentTimeMillis();
        Event e = left <= 0 ? null : events.poll(left, TimeUnit.MILLISECONDS);
        if (e == null || e == END) {
          if (e == END) {
            events.add(END);
          }
          throw new AssertionError(
              "no '"
                  + name
                  + "' event as wanted within "
                  + timeoutMs
                  + " ms; last seen: "
                  + seen.subList(Math.max(0, seen.size() - 2), seen.size())
                  + (e == END ? " (stream ended)" : ""));
        }
        seen.add(e);
        if (e.name().equals(name) && wanted.test(e.data())) {
          return e;
        }
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** True once the server has ended the response. */
  public boolean awaitEnd(long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    try {
      while (System.currentTimeMillis() < deadline) {
        Event e = events.poll(50, TimeUnit.MILLISECONDS);
        if (e == END) {
          events.add(END);
          return true;
        }
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return false;
  }

  @Override
  public void close() {
    lines.close();
  }
}

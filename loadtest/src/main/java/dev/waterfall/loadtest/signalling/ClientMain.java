package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.kit.clients.Fleet;
import dev.waterfall.loadtest.run.Deadline;
import dev.waterfall.loadtest.run.Progress;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A client process: one slice of the signalling scenario's nodes, in its own JVM so that it has its
 * own open-file limit. The parent ({@link ClientProcess}) sends one command per line on stdin; this
 * answers each with one JSON line on stdout ({@code {"reply":op,…}} or {@code {"error":…}}), and in
 * between sends {@code {"progress":n}} lines (steps done since the last one) for the parent's
 * progress line. Anything else printed goes to stderr, the parent's log of this process. Exits when
 * told to close or when stdin ends (the parent is gone).
 *
 * <p>Usage: {@code ClientMain <capacity> <concurrency> <coordinator url>...}
 */
public final class ClientMain {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream wire;
  private final List<String> urls;
  private final int concurrency;
  private final Fleet fleet;
  private final Progress progress =
      new Progress(new PrintStream(OutputStream.nullOutputStream()), false);
  private long reported;

  private ClientMain(PrintStream wire, List<String> urls, int capacity, int concurrency) {
    this.wire = wire;
    this.urls = urls;
    this.concurrency = concurrency;
    this.fleet = Fleet.staying(urls, capacity);
  }

  public static void main(String[] args) throws Exception {
    PrintStream wire =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err); // a stray print must not corrupt the protocol
    if (args.length < 3) {
      System.err.println("usage: ClientMain <capacity> <concurrency> <coordinator url>...");
      System.exit(64);
    }
    ClientMain main =
        new ClientMain(
            wire,
            Arrays.asList(args).subList(2, args.length),
            Integer.parseInt(args[0]),
            Integer.parseInt(args[1]));
    main.serve();
    System.exit(0);
  }

  private void serve() throws Exception {
    Thread reporter = new Thread(this::reportProgress, "client-progress");
    reporter.setDaemon(true);
    reporter.start();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null; ) {
        JsonNode command = JSON.readTree(line);
        String op = command.path("op").asText();
        try {
          ObjectNode reply = handle(op, command);
          reply.put("reply", op);
          flushProgress();
          send(reply);
          if (op.equals("close")) {
            return;
          }
        } catch (Exception e) {
          e.printStackTrace();
          send(JSON.createObjectNode().put("error", op + ": " + e));
        }
      }
    } finally {
      fleet.close();
    }
  }

  private ObjectNode handle(String op, JsonNode c) throws Exception {
    ObjectNode reply = JSON.createObjectNode();
    Deadline deadline = Deadline.inMillis(c.path("remainingMs").asLong(60_000));
    switch (op) {
      case "join" ->
          reply.set(
              "outcome",
              JoinOutcome.of(
                      fleet.join(
                          c.get("label").asText(),
                          c.get("stream").asText(),
                          "viewer",
                          null,
                          c.get("count").asInt(),
                          concurrency,
                          progress,
                          deadline))
                  .toWire());
      case "joinAndClose" ->
          reply.set(
              "outcome",
              LocalClients.joinAndClose(
                      urls,
                      c.get("label").asText(),
                      c.get("stream").asText(),
                      c.get("count").asInt(),
                      concurrency,
                      c.get("intervalMs").asLong(),
                      progress,
                      deadline)
                  .toWire());
      case "heartbeats" -> fleet.startHeartbeats(c.get("intervalMs").asLong(), 10);
      case "churn" ->
          reply.set(
              "outcome",
              ChurnDriver.run(
                      fleet,
                      new ChurnPlan(
                          c.get("stream").asText(),
                          c.get("departures").asLong(),
                          c.get("seconds").asInt(),
                          c.get("crashShare").asDouble(),
                          c.get("seed").asLong(),
                          concurrency),
                      progress,
                      deadline)
                  .toWire());
      case "state" -> reply.set("state", FleetState.of(fleet).toWire());
      case "close" -> fleet.close();
      default -> throw new IllegalArgumentException("unknown op '" + op + "'");
    }
    return reply;
  }

  /** Progress steps four times a second. */
  private void reportProgress() {
    while (true) {
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        return;
      }
      flushProgress();
    }
  }

  /**
   * Steps since the last report (a new phase restarts the count); also before each reply, so none
   * spill over.
   */
  private synchronized void flushProgress() {
    long now = progress.done();
    long delta = now >= reported ? now - reported : now;
    reported = now;
    if (delta > 0) {
      send(JSON.createObjectNode().put("progress", delta));
    }
  }

  private synchronized void send(ObjectNode message) {
    wire.println(message.toString());
  }
}

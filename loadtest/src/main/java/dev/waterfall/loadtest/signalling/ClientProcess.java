package dev.waterfall.loadtest.signalling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.run.Progress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The parent's handle on one {@link ClientMain}: started from this program's own classpath, one
 * command line out, one reply line back; progress lines feed the parent's progress line as they
 * come.
 */
final class ClientProcess implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
  private final Path log;
  private final Thread killer;
  private volatile Progress progress;

  private ClientProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
    this.commands = process.outputWriter(StandardCharsets.UTF_8);
    Thread reader = new Thread(this::read, "client-process-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    // If we are killed (Ctrl-C), the child must not outlive us holding thousands of sockets.
    this.killer = new Thread(process::destroyForcibly, "loadtest-client-killer");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * {@code java -Xmx<heap> -cp <ours> ClientMain capacity concurrency urls…}, stderr to {@code
   * log}.
   */
  static ClientProcess start(
      List<String> urls, int capacity, int concurrency, String heap, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ClientMain.class.getName());
    cmd.add(Integer.toString(capacity));
    cmd.add(Integer.toString(concurrency));
    cmd.addAll(urls);
    Files.createDirectories(log.getParent());
    Process p =
        new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
    return new ClientProcess(p, log);
  }

  long pid() {
    return process.pid();
  }

  /**
   * Sends one command; {@link #reply} waits for its answer. Progress lines go to {@code progress}
   * meanwhile.
   */
  void send(ObjectNode command, Progress progress) throws IOException {
    this.progress = progress;
    commands.write(command.toString() + "\n");
    commands.flush();
  }

  /** The answer to the last command, or an exception saying why there is none. */
  JsonNode reply(long timeoutMillis) throws InterruptedException {
    JsonNode r = replies.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    if (r == null) {
      throw new IllegalStateException(
          "client process "
              + pid()
              + " did not answer within "
              + timeoutMillis
              + " ms"
              + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")")
              + "; see "
              + log);
    }
    if (r.has("error")) {
      throw new IllegalStateException(
          "client process " + pid() + ": " + r.get("error").asText() + "; see " + log);
    }
    return r;
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        JsonNode m = JSON.readTree(line);
        Progress p = progress;
        if (m.has("progress")) {
          if (p != null) {
            p.add(m.get("progress").asLong());
          }
        } else {
          replies.add(m);
        }
      }
    } catch (IOException e) {
      // the process ended; reply() says so
    }
    replies.add(
        JSON.createObjectNode()
            .put("error", "exited" + (process.isAlive() ? "" : " with " + exitValue())));
  }

  private int exitValue() {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      return -1;
    }
  }

  /** Tells it to close its sockets and exit, without waiting. */
  void requestClose() {
    try {
      send(JSON.createObjectNode().put("op", "close"), null);
    } catch (IOException e) {
      // already gone
    }
  }

  /** Tells it to close its sockets and exit; kills it if it has not within 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      requestClose();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs anyway, harmlessly
    }
  }
}

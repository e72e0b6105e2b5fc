package dev.waterfall.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One scenario's result file: scenario, machine, settings, figures, targets, notes. Scenarios fill
 * {@link #settings()} and {@link #figures()} as they go, so a run cut short by its time budget
 * still writes what it measured (with {@code "complete": false}).
 */
public final class Report {
  /**
   * Copies those of {@code keys} that {@code figures} has into {@code common}: the headline fields
   * of a scenario.
   */
  public static void copyPresent(ObjectNode figures, ObjectNode common, String... keys) {
    for (String k : keys) {
      if (figures.has(k)) {
        common.set(k, figures.get(k));
      }
    }
  }

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final String scenario;
  private final Instant started;
  private final ObjectNode machine;
  private final ObjectNode settings = JsonNodeFactory.instance.objectNode();
  private final ObjectNode figures = JsonNodeFactory.instance.objectNode();
  private final ObjectNode common = JsonNodeFactory.instance.objectNode();
  private final List<Target> targets = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<SvgChart> charts = new ArrayList<>();
  private boolean complete = true;

  public Report(String scenario, Instant started, ObjectNode machine) {
    this.scenario = scenario;
    this.started = started;
    this.machine = machine;
  }

  public static Report start(String scenario) {
    return new Report(scenario, Instant.now(), Machine.describe());
  }

  public String scenario() {
    return scenario;
  }

  public ObjectNode settings() {
    return settings;
  }

  public ObjectNode figures() {
    return figures;
  }

  /**
   * The figures every scenario reports where they apply ({@link HtmlReport#COMMON_FIELDS}: viewers,
   * originEgressRatio, joinP99Ms …), written at the top level of the JSON so runs compare at a
   * glance.
   */
  public ObjectNode common() {
    return common;
  }

  public void target(Target t) {
    targets.add(t);
  }

  /** A chart for the HTML page (empty charts are left out). */
  public void chart(SvgChart chart) {
    if (!chart.isEmpty()) {
      charts.add(chart);
    }
  }

  public List<Target> targets() {
    return List.copyOf(targets);
  }

  public void note(String note) {
    notes.add(note);
  }

  /** Marks the run as cut short (time budget spent, or a phase failed) and says why. */
  public void incomplete(String why) {
    complete = false;
    notes.add("incomplete: " + why);
  }

  public boolean complete() {
    return complete;
  }

  public ObjectNode toJson(Instant finished) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("scenario", scenario);
    root.put("startedAt", started.toString());
    root.put(
        "durationSeconds",
        Math.round((finished.toEpochMilli() - started.toEpochMilli()) / 100.0) / 10.0);
    root.put("complete", complete);
    for (String key : HtmlReport.COMMON_FIELDS) {
      if (common.hasNonNull(key) && !key.equals("durationSeconds")) {
        root.set(key, common.get(key));
      }
    }
    root.set("machine", machine);
    root.set("settings", settings);
    root.set("figures", figures);
    ArrayNode ts = root.putArray("targets");
    for (Target t : targets) {
      ObjectNode o = ts.addObject();
      o.put("name", t.name());
      o.put("measured", t.measured());
      o.put("threshold", t.threshold());
      o.put("comparison", t.atMost() ? "<=" : ">=");
      o.put("unit", t.unit());
      o.put("met", t.met());
    }
    ArrayNode ns = root.putArray("notes");
    notes.forEach(ns::add);
    return root;
  }

  /**
   * Writes {@code <dir>/<scenario>.json} and, from the same JSON, {@code <scenario>.html}; returns
   * the JSON's path.
   */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    ObjectNode json = toJson(Instant.now());
    Path file = dir.resolve(scenario + ".json");
    Path tmp = dir.resolve(scenario + ".json.tmp");
    MAPPER.writeValue(tmp.toFile(), json);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    Path html = dir.resolve(scenario + ".html");
    Path htmlTmp = dir.resolve(scenario + ".html.tmp");
    Files.writeString(htmlTmp, HtmlReport.render(json, charts));
    Files.move(htmlTmp, html, StandardCopyOption.REPLACE_EXISTING);
    return file;
  }

  /** The targets, one per line, and whether each was met. */
  public void printTargets(PrintStream out) {
    if (targets.isEmpty()) {
      return;
    }
    out.println("Targets (" + scenario + "):");
    for (Target t : targets) {
      out.println("  " + t.describe());
    }
  }
}

package dev.waterfall.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.waterfall.loadtest.run.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code html}: writes {@code <scenario>.html} again from each {@code <scenario>.json} in the
 * reports directory, with the scenario's current charts; for reports written before a chart
 * existed, without re-running them.
 */
@Command(
    name = "html",
    mixinStandardHelpOptions = true,
    description =
        "Re-render <scenario>.html from every <scenario>.json in the reports directory (no run).")
public final class RenderCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--reports-dir",
      paramLabel = "DIR",
      description = "Where the reports are (default: as for the scenarios).")
  Path reportsDir;

  @Override
  public Integer call() throws IOException {
    Path dir = ReportDir.locate(reportsDir);
    if (!Files.isDirectory(dir)) {
      spec.commandLine().getErr().println("html: no reports directory " + dir);
      return 1;
    }
    ObjectMapper mapper = new ObjectMapper();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    int written = 0;
    for (Path file : files) {
      ObjectNode json;
      try {
        json = (ObjectNode) mapper.readTree(file.toFile());
      } catch (IOException | ClassCastException e) {
        spec.commandLine()
            .getErr()
            .println(
                "html: skipped " + file.getFileName() + " (not a report: " + e.getMessage() + ")");
        continue;
      }
      String name = json.path("scenario").asText();
      CommandLine sub = spec.parent() == null ? null : spec.parent().subcommands().get(name);
      if (sub == null || !(sub.getCommand() instanceof Scenario scenario)) {
        spec.commandLine()
            .getErr()
            .println("html: skipped " + file.getFileName() + " (no scenario '" + name + "')");
        continue;
      }
      // written before the headline fields: show them on the page (the JSON stays)
      if (!json.has("viewers")) {
        ObjectNode common = json.objectNode();
        scenario.headlineFor(json.with("figures"), common);
        common
            .fields()
            .forEachRemaining(
                f -> {
                  if (!json.has(f.getKey())) {
                    json.set(f.getKey(), f.getValue());
                  }
                });
      }
      List<SvgChart> charts;
      try {
        charts =
            scenario.chartsFor(json.with("figures")).stream().filter(c -> !c.isEmpty()).toList();
      } catch (RuntimeException e) {
        charts = List.of();
        spec.commandLine().getErr().println("html: " + name + ": charts left out: " + e);
      }
      Path html = dir.resolve(file.getFileName().toString().replaceAll("\\.json$", ".html"));
      Files.writeString(html, HtmlReport.render(json, charts));
      spec.commandLine().getOut().println("Wrote " + html);
      written++;
    }
    return written > 0 ? 0 : 1;
  }
}

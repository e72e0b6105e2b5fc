package dev.waterfall.loadtest.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A report's settings read from the command's picocli model: every option with its value, keyed by
 * its longest name in camelCase ({@code --churn-size} → {@code churnSize}) unless {@link Setting}
 * says otherwise. Values a scenario computes stay explicit in the scenario.
 */
public final class OptionSettings {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private OptionSettings() {}

  public static void record(CommandSpec spec, ObjectNode settings) {
    for (OptionSpec option : spec.options()) {
      Setting setting =
          option.userObject() instanceof AnnotatedElement e ? e.getAnnotation(Setting.class) : null;
      if (option.usageHelp() || option.versionHelp() || setting != null && !setting.recorded()) {
        continue;
      }
      String key =
          setting != null && !setting.value().isEmpty()
              ? setting.value()
              : key(option.longestName());
      Object value = option.getValue();
      // Jackson would write a Path as a file: URI; a report shows the path as given.
      settings.set(key, MAPPER.valueToTree(value instanceof Path p ? p.toString() : value));
    }
  }

  /** {@code --churn-size} → {@code churnSize}. */
  static String key(String longestName) {
    String[] words = longestName.replaceFirst("^-+", "").split("-");
    StringBuilder key = new StringBuilder(words[0]);
    for (int i = 1; i < words.length; i++) {
      key.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
    }
    return key.toString();
  }
}

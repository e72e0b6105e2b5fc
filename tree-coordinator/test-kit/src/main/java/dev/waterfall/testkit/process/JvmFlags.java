package dev.waterfall.testkit.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The flags a JVM running Hazelcast needs to reach into the JDK. They are written once, as the
 * parent pom's {@code hazelcast.jvm.args} (surefire's and failsafe's argLine); Maven copies them
 * into jvm.properties when it builds this module.
 */
public final class JvmFlags {
  /** Every flag, one list element each. */
  public static final List<String> HAZELCAST = read("hazelcast");

  private JvmFlags() {}

  private static List<String> read(String key) {
    Properties p = new Properties();
    try (InputStream in = JvmFlags.class.getResourceAsStream("jvm.properties")) {
      if (in == null) {
        throw new IllegalStateException("jvm.properties missing from the test kit's jar");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String flags = p.getProperty(key, "").trim();
    if (flags.isEmpty() || flags.contains("${")) {
      throw new IllegalStateException(
          "jvm.properties was not filtered by Maven: " + key + "=" + flags);
    }
    return List.copyOf(Arrays.asList(flags.split("\\s+")));
  }
}

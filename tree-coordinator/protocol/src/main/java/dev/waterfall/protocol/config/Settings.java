package dev.waterfall.protocol.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Flat key/value settings layered as: the defaults file, a user file, {@code WATERFALL_*}
 * environment variables, then flags. Only keys present in the defaults file exist, so a typo fails
 * loudly. One file for every process (coordinator and relays); each reads the keys it uses.
 */
public final class Settings {
  public static final String DEFAULTS = "waterfall-defaults.properties";
  private final Map<String, String> values;

  private Settings(Map<String, String> values) {
    this.values = values;
  }

  public static Settings load(Path userFile, Map<String, String> env, Map<String, String> flags) {
    Map<String, String> values = new TreeMap<>(defaults());
    if (userFile != null) {
      overlay(values, read(userFile), "config file " + userFile);
    }
    for (String key : List.copyOf(values.keySet())) {
      String fromEnv = env.get(envName(key));
      if (fromEnv != null) {
        values.put(key, fromEnv.trim());
      }
    }
    overlay(values, flags, "command line");
    return new Settings(values);
  }

  /**
   * A process's settings: {@code --config FILE} (else {@code WATERFALL_CONFIG}), this process's
   * environment, then {@code flags}.
   */
  public static Settings forProcess(Path configFlag, Map<String, String> flags) {
    String envFile = System.getenv("WATERFALL_CONFIG");
    Path file =
        configFlag != null
            ? configFlag
            : envFile == null || envFile.isBlank() ? null : Path.of(envFile);
    return load(file, System.getenv(), flags);
  }

  public static Settings defaultsOnly() {
    return load(null, Map.of(), Map.of());
  }

  /**
   * {@code http.port} → {@code WATERFALL_HTTP_PORT}; {@code signalling.maxMessageBytes} → {@code
   * WATERFALL_SIGNALLING_MAX_MESSAGE_BYTES}.
   */
  public static String envName(String key) {
    return "WATERFALL_"
        + key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase();
  }

  public Settings with(Map<String, String> overrides) {
    Map<String, String> copy = new TreeMap<>(values);
    overlay(copy, overrides, "override");
    return new Settings(copy);
  }

  public String string(String key) {
    String v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no such setting " + key);
    }
    return v;
  }

  public int integer(String key, int min, int max) {
    return (int) longValue(key, min, max);
  }

  public long longValue(String key, long min, long max) {
    String v = string(key);
    try {
      long l = Long.parseLong(v);
      if (l < min || l > max) {
        throw new ConfigException(
            key + " = " + v + " is out of range: expected " + min + " to " + max);
      }
      return l;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + " = '" + v + "' is not a whole number");
    }
  }

  public boolean bool(String key) {
    String v = string(key);
    if (!v.equals("true") && !v.equals("false")) {
      throw new ConfigException(key + " = '" + v + "': expected true or false");
    }
    return v.equals("true");
  }

  public List<String> list(String key) {
    List<String> out = new ArrayList<>();
    for (String part : string(key).split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  public Map<String, String> asMap() {
    return new LinkedHashMap<>(values);
  }

  private static void overlay(
      Map<String, String> values, Map<String, String> layer, String source) {
    for (var e : layer.entrySet()) {
      if (!values.containsKey(e.getKey())) {
        throw new ConfigException(
            "unknown setting '"
                + e.getKey()
                + "' in "
                + source
                + " (every key is listed in "
                + DEFAULTS
                + " and docs/configuration.md)");
      }
      values.put(e.getKey(), e.getValue().trim());
    }
  }

  private static Map<String, String> defaults() {
    try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " missing from the classpath");
      }
      Properties p = new Properties();
      p.load(in);
      return toMap(p);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> read(Path file) {
    try (Reader in = Files.newBufferedReader(file)) {
      Properties p = new Properties();
      p.load(in);
      return toMap(p);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
  }

  private static Map<String, String> toMap(Properties p) {
    Map<String, String> m = new TreeMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
    return m;
  }
}

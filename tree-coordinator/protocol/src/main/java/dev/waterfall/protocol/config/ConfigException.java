package dev.waterfall.protocol.config;

/**
 * A setting that is unknown or has a bad value. The launcher turns it into exit code 78
 * (EX_CONFIG).
 */
public final class ConfigException extends RuntimeException {
  public static final int EXIT_CODE = 78;

  public ConfigException(String message) {
    super(message);
  }
}

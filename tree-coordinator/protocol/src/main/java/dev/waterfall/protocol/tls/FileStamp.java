package dev.waterfall.protocol.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * When a certificate and its key last changed, by modification time (µs) and size: cheap to take
 * every few seconds, and a renewal (a rename or a rewrite) changes it. A file that cannot be read
 * has the stamp -1.
 */
public record FileStamp(long certModified, long certSize, long keyModified, long keySize) {
  public static FileStamp of(Path cert, Path key) {
    return new FileStamp(modified(cert), size(cert), modified(key), size(key));
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).to(java.util.concurrent.TimeUnit.MICROSECONDS);
    } catch (IOException | SecurityException e) {
      return -1;
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException | SecurityException e) {
      return -1;
    }
  }
}

package dev.waterfall.coordinator;

import dev.waterfall.coordinator.streams.Credentials;
import dev.waterfall.protocol.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where {@code waterfall coordinator} keeps the admin token it generated when none was configured:
 * a file only its owner can read, not the console (whose output ends up in logs). The token is
 * reused on the next start, so a restart does not lock the operator out, and coordinators of one
 * machine's cluster share it.
 */
final class AdminTokenFile {
  private AdminTokenFile() {}

  /**
   * {@code $XDG_CONFIG_HOME/waterfall/admin-token}, else {@code ~/.config/waterfall/admin-token}.
   */
  static Path defaultPath() {
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("waterfall").resolve("admin-token");
  }

  static String loadOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.length() < 16) {
          throw new ConfigException(
              file + " holds no admin token (16 characters at least); delete it to get a new one");
        }
        return token;
      }
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      String token = Credentials.newSecret();
      // Written whole under a temporary name, then linked into place: a coordinator starting beside
      // this one never reads a half-written file, and whichever links first wins.
      Path tmp;
      try {
        tmp =
            Files.createTempFile(
                dir,
                "admin-token",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        // not POSIX: the platform's default permissions
        tmp = Files.createTempFile(dir, "admin-token", ".tmp");
      }
      Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8);
      try {
        Files.createLink(file, tmp); // link(2) never replaces an existing file, unlike rename(2)
      } catch (FileAlreadyExistsException e) {
        return loadOrCreate(file);
      } catch (UnsupportedOperationException e) {
        // no hard links here: a plain move, which also refuses an existing target
        Files.move(tmp, file);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return token;
    } catch (IOException e) {
      throw new ConfigException(
          "cannot keep the admin token in "
              + file
              + " ("
              + e.getMessage()
              + "); set WATERFALL_ADMIN_TOKEN or admin.token instead");
    }
  }
}

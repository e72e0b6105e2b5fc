package dev.waterfall.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.waterfall.protocol.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenFileTest {
  @TempDir Path dir;

  @Test
  void aGeneratedTokenIsOwnerOnlyAndReusedOnTheNextStart() throws Exception {
    Path file = dir.resolve("waterfall").resolve("admin-token");
    String token = AdminTokenFile.loadOrCreate(file);
    assertThat(token).hasSizeGreaterThanOrEqualTo(16);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(AdminTokenFile.loadOrCreate(file)).isEqualTo(token);
    try (var left = Files.list(file.getParent())) {
      assertThat(left).as("no temporary file left behind").containsExactly(file);
    }
  }

  @Test
  void aFileWithoutATokenIsRefusedWithASentence() throws Exception {
    Path file = dir.resolve("admin-token");
    Files.writeString(file, "short\n");
    assertThatThrownBy(() -> AdminTokenFile.loadOrCreate(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("delete it");
  }
}

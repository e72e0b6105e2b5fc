package dev.waterfall.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One vocabulary: the Java enums and the pages' p2p/vocabulary.js hold exactly the words of
 * docs/protocol.md's tables ("Vocabulary", and the {@code error} table), in the same order.
 */
class VocabularyTest {
  private static final Path ROOT = repositoryRoot();
  private static final String DOC = read(ROOT.resolve("docs/protocol.md"));
  private static final String JS = read(ROOT.resolve("web-player/src/main/web/p2p/vocabulary.js"));

  @Test
  void roles() {
    agree("role", "Role", Role.values(), Role::wire);
  }

  @Test
  void streamTypes() {
    agree("stream type", "StreamType", StreamType.values(), StreamType::wire);
  }

  @Test
  void reportReasons() {
    agree("report reason", "ReportReason", ReportReason.values(), ReportReason::wire);
  }

  @Test
  void reparentReasons() {
    agree("reparent reason", "ReparentReason", ReparentReason.values(), ReparentReason::wire);
  }

  @Test
  void errorCodes() {
    agree("code", "ErrorCode", ErrorCode.values(), ErrorCode::wire);
  }

  /** The REST codes: Java only (the pages read a REST error's message, never its code). */
  @Test
  void restErrors() {
    documented("REST error", RestError.values(), RestError::wire);
  }

  @Test
  void aWordOfNoTableIsNoneOfOurs() {
    assertThat(ErrorCode.fromWire("no-such-code")).isNull();
    assertThat(ErrorCode.fromWire(null)).isNull();
    assertThat(ReportReason.fromWire("slow-child")).isEqualTo(ReportReason.SLOW_CHILD);
    assertThat(StreamType.REALTIME.is("realtime")).isTrue();
  }

  private static <E extends Enum<E>> void agree(
      String column, String jsName, E[] values, Function<E, String> wire) {
    documented(column, values, wire);
    assertThat(jsObject(jsName))
        .as("p2p/vocabulary.js's %s", jsName)
        .isEqualTo(pairs(values, wire));
  }

  private static <E extends Enum<E>> void documented(
      String column, E[] values, Function<E, String> wire) {
    List<String> documented = table(column);
    assertThat(documented).as("docs/protocol.md's '%s' table", column).isNotEmpty();
    List<String> java = Arrays.stream(values).map(wire).toList();
    assertThat(java).as("the Java enum against the doc").containsExactlyElementsOf(documented);
    assertThat(Arrays.stream(values).map(e -> e.name()).toList())
        .as("constant names are the words in upper case")
        .containsExactlyElementsOf(
            documented.stream().map(w -> w.toUpperCase().replace('-', '_')).toList());
  }

  /** The first column's words of the table whose header starts with {@code | column |}. */
  private static List<String> table(String column) {
    List<String> words = new ArrayList<>();
    String[] lines = DOC.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].startsWith("| " + column + " |")) {
        continue;
      }
      for (int j = i + 2; j < lines.length && lines[j].startsWith("|"); j++) {
        Matcher m = Pattern.compile("^\\| `([a-z-]+)` \\|").matcher(lines[j]);
        if (m.find()) {
          words.add(m.group(1));
        }
      }
      break;
    }
    return words;
  }

  private static <E extends Enum<E>> List<String> pairs(E[] values, Function<E, String> wire) {
    return Arrays.stream(values).map(e -> e.name() + "=" + wire.apply(e)).toList();
  }

  /** {@code export const name = Object.freeze({ KEY: 'word', … });} as KEY=word, in order. */
  private static List<String> jsObject(String name) {
    Matcher block =
        Pattern.compile("export const " + name + " = Object\\.freeze\\(\\{([^}]*)\\}\\);")
            .matcher(JS);
    if (!block.find()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    Matcher entry = Pattern.compile("([A-Z_]+): '([a-z-]+)'").matcher(block.group(1));
    while (entry.find()) {
      out.add(entry.group(1) + "=" + entry.group(2));
    }
    return out;
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("docs/protocol.md"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no docs/protocol.md above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

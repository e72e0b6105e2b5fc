package dev.waterfall.tree;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The validator is what every other tree test leans on ("validate after every step"), so it is
 * tested the other way round: a sound tree passes, and each invariant, broken by hand in an
 * otherwise sound tree, is caught and named.
 */
class ValidatorTest {

  /** o → a, b (+booster); a → c, d; c owned by "x". */
  private static StreamTree sound() {
    StreamTree tree = Trees.of("o: a +b/3", "a: c d");
    tree.tree.addChild(new NodeSpec("e", Role.VIEWER, 4, 100, "x"), tree.tree.require("b"), -1);
    tree.validate();
    return tree;
  }

  private static Node node(StreamTree tree, String id) {
    return tree.tree.require(id);
  }

  static Stream<Arguments> brokenInvariants() {
    return Stream.of(
        broken("root shape", t -> node(t, "o").depth = 1),
        broken("node map entry", t -> node(t, "c").live = false),
        broken("capacity within 0..maxChildren", t -> node(t, "o").capacity = 5),
        broken("fan-out <= capacity", t -> node(t, "a").capacity = 1),
        broken("owner index", t -> node(t, "d").owner = "x"),
        broken("index inconsistent", t -> node(t, "d").inLeaves = !node(t, "d").inLeaves),
        broken("child's parent link points back", t -> node(t, "c").parent = node(t, "b")),
        broken("no cycle or shared child", t -> node(t, "a").children.add(node(t, "c"))),
        broken("depth == parent depth + 1", t -> node(t, "c").depth = 3),
        broken(
            "every node reachable from the root", t -> node(t, "a").children.remove(node(t, "d"))),
        broken("subtree height", t -> node(t, "a").height = 7),
        broken("sequence below the counter", t -> t.tree.nextSeq(node(t, "e").seq)));
  }

  private static Arguments broken(String invariant, Consumer<StreamTree> breakIt) {
    return Arguments.of(invariant, breakIt);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenInvariants")
  void eachBrokenInvariantIsCaughtByName(String invariant, Consumer<StreamTree> breakIt) {
    StreamTree tree = sound();
    breakIt.accept(tree);
    assertThatThrownBy(tree::validate)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(invariant);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenInvariants")
  void theSoundTreeItStartsFromPasses(String invariant, Consumer<StreamTree> unused) {
    assertThatCode(() -> sound().validate())
        .as("before breaking " + invariant)
        .doesNotThrowAnyException();
  }
}

package dev.waterfall.tree;

import java.util.List;

/**
 * Builds hand-drawn trees for tests, bypassing placement. Each line is {@code "parent: child child
 * ..."}; a child token is {@code id}, {@code id/cap} (capacity, default maxChildren) and may start
 * with {@code +} for a booster. Nodes join at 10, 20, 30... in the order written; the root is
 * {@code o}.
 */
final class Trees {
  private Trees() {}

  static StreamTree of(String... lines) {
    return ofMax(4, lines);
  }

  static StreamTree ofMax(int maxChildren, String... lines) {
    StreamTree tree = new StreamTree("s", "o", maxChildren, 1000, 0);
    long time = 0;
    for (String line : lines) {
      String[] halves = line.split(":");
      Node parent = tree.tree.require(halves[0].trim());
      for (String token : halves[1].trim().split("\\s+")) {
        Role role = token.startsWith("+") ? Role.BOOSTER : Role.VIEWER;
        String body = token.startsWith("+") ? token.substring(1) : token;
        String[] parts = body.split("/");
        int capacity = parts.length > 1 ? Integer.parseInt(parts[1]) : maxChildren;
        time += 10;
        tree.tree.addChild(new NodeSpec(parts[0], role, capacity, time, null), parent, -1);
      }
    }
    tree.validate();
    return tree;
  }

  static String parentOf(StreamTree tree, String id) {
    return tree.node(id).parentId();
  }

  static int depthOf(StreamTree tree, String id) {
    return tree.node(id).depth();
  }

  static List<String> childrenOf(StreamTree tree, String id) {
    return tree.node(id).childIds();
  }

  /** One line per node, indented by depth: handy in assertion messages. */
  static String render(StreamTree tree) {
    StringBuilder out = new StringBuilder();
    render(tree, tree.rootId(), out);
    return out.toString();
  }

  private static void render(StreamTree tree, String id, StringBuilder out) {
    TreeNode node = tree.node(id);
    out.append("  ".repeat(node.depth()))
        .append(id)
        .append('/')
        .append(node.capacity())
        .append('\n');
    for (String child : node.childIds()) {
      render(tree, child, out);
    }
  }
}

package dev.waterfall.coordinator.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The REST tree view of a stream, with the invariants checked from the outside. */
public final class TreeView {
  public record Node(
      String id, String role, String parent, int depth, List<String> children, int capacity) {}

  public final Map<String, Node> nodes = new HashMap<>();
  public Node root;

  public static TreeView fetch(Rest rest, String stream) {
    Rest.Reply r = rest.get("/api/streams/" + stream + "/tree");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    TreeView v = new TreeView();
    for (JsonNode n : r.json().get("nodes")) {
      List<String> children = new ArrayList<>();
      n.get("children").forEach(c -> children.add(c.textValue()));
      Node node =
          new Node(
              n.get("id").textValue(),
              n.get("role").textValue(),
              n.get("parent").isNull() ? null : n.get("parent").textValue(),
              n.get("depth").intValue(),
              children,
              n.get("capacity").intValue());
      v.nodes.put(node.id(), node);
      if (node.parent() == null) {
        assertThat(v.root).as("only one root").isNull();
        v.root = node;
      }
    }
    return v;
  }

  /**
   * Fetches until {@code holds} is true of the tree (a heartbeat's effect is asynchronous); fails
   * after 10 s.
   */
  public static TreeView await(
      Rest rest, String stream, java.util.function.Predicate<TreeView> holds)
      throws InterruptedException {
    long until = System.currentTimeMillis() + 10_000;
    TreeView v = fetch(rest, stream);
    while (!holds.test(v)) {
      assertThat(System.currentTimeMillis())
          .as("the tree of '%s' never got there: %s", stream, v.nodes)
          .isLessThan(until);
      Thread.sleep(50);
      v = fetch(rest, stream);
    }
    return v;
  }

  public int size() {
    return nodes.size();
  }

  public int maxDepth() {
    return nodes.values().stream().mapToInt(Node::depth).max().orElse(0);
  }

  public Node node(String id) {
    return nodes.get(id);
  }

  /**
   * Fan-out within capacity and 4, links consistent both ways, depths consistent, all reachable, no
   * cycle.
   */
  public TreeView assertValid() {
    assertThat(root).as("root").isNotNull();
    assertThat(root.depth()).isZero();
    Set<String> seen = new HashSet<>();
    ArrayDeque<Node> queue = new ArrayDeque<>(List.of(root));
    while (!queue.isEmpty()) {
      Node n = queue.poll();
      assertThat(seen.add(n.id())).as("cycle or shared child at %s", n.id()).isTrue();
      assertThat(n.children().size())
          .as("fan-out of %s", n.id())
          .isLessThanOrEqualTo(Math.min(4, n.capacity()));
      for (String c : n.children()) {
        Node child = nodes.get(c);
        assertThat(child).as("child %s of %s exists", c, n.id()).isNotNull();
        assertThat(child.parent()).isEqualTo(n.id());
        assertThat(child.depth()).isEqualTo(n.depth() + 1);
        queue.add(child);
      }
    }
    assertThat(seen).as("every node reachable from the root").hasSize(nodes.size());
    return this;
  }

  public static int depthBound(int n) {
    int d = 0;
    long cap = 1;
    while (cap < n) {
      cap *= 4;
      d++;
    }
    return d + 2;
  }
}

package dev.waterfall.tree;

import java.util.List;

/** A read-only view of one node of a stream's tree. */
public interface TreeNode {
  String id();

  Role role();

  int capacity();

  long joinedAt();

  String owner();

  /** Null for the root. */
  String parentId();

  int depth();

  List<String> childIds();
}

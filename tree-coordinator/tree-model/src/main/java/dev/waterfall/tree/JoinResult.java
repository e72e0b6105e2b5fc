package dev.waterfall.tree;

import java.util.List;

/**
 * Where a joining node was placed.
 *
 * @param moves nodes moved because the joiner took a viewer's place (empty otherwise)
 */
public record JoinResult(String nodeId, String parent, int depth, List<Move> moves) {

  public JoinResult {
    moves = List.copyOf(moves);
  }
}

package dev.waterfall.tree;

/**
 * Thrown by a join when no node in the tree has a free slot (the node should use the HTTP
 * fallback).
 */
public final class NoOpenSlotException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public NoOpenSlotException(String message) {
    super(message);
  }
}

package dev.waterfall.loadtest.relaytree;

import java.util.List;

/**
 * One crash: when, which relay, its parent at that moment (where leaf-swap puts the leaf that takes
 * its place) and the relays linked below it (its orphans).
 */
record Kill(long atMillis, String nodeId, String parent, List<String> children) {}

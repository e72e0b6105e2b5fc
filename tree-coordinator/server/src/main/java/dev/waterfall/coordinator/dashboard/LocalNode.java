package dev.waterfall.coordinator.dashboard;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A node whose socket this coordinator holds, as the dashboard sees it: its last two heartbeats'
 * stats (null until it sent any). Keeping the previous one costs the heartbeat path one field write
 * and gives a recent P2P share without any bookkeeping of our own.
 */
public record LocalNode(String id, boolean root, JsonNode stats, JsonNode previous) {}

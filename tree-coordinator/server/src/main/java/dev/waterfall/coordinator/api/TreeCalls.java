package dev.waterfall.coordinator.api;

import dev.waterfall.coordinator.cluster.CoordinatorDirectory;
import dev.waterfall.coordinator.cluster.NodeView;
import dev.waterfall.coordinator.cluster.TreeStore;
import dev.waterfall.coordinator.dashboard.DashboardFeed;
import dev.waterfall.protocol.RestError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/** Views of a stream's tree: its nodes now, and the dashboard's live feed. */
final class TreeCalls {
  private final TreeStore trees;
  private final CoordinatorDirectory directory;
  private final DashboardFeed dashboard;
  private final StreamLookup streams;

  TreeCalls(
      TreeStore trees,
      CoordinatorDirectory directory,
      DashboardFeed dashboard,
      StreamLookup streams) {
    this.trees = trees;
    this.directory = directory;
    this.dashboard = dashboard;
    this.streams = streams;
  }

  void tree(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    streams.withStream(
        ctx,
        "the tree of a private stream needs the admin token",
        stream ->
            trees
                .snapshot(name)
                .onSuccess(
                    nodes -> {
                      if (nodes == null) {
                        StreamLookup.noSuchStream(ctx, name);
                        return;
                      }
                      JsonArray out = new JsonArray();
                      for (NodeView n : nodes) {
                        out.add(
                            new JsonObject()
                                .put("id", n.id())
                                .put("role", n.role())
                                .put("parent", n.parent())
                                .put("depth", n.depth())
                                .put("children", new JsonArray(n.children()))
                                .put("capacity", n.capacity())
                                .put("joinedAt", Instant.ofEpochMilli(n.joinedAt()).toString())
                                // connected: a live coordinator holds its socket (a dead one's
                                // nodes are not, until they resume).
                                .put("connected", directory.isLive(n.owner()))
                                .put("coordinator", directory.urlOf(n.owner())));
                      }
                      Json.reply(
                          ctx,
                          200,
                          new JsonObject()
                              .put("stream", name)
                              .put("size", nodes.size())
                              .put("nodes", out));
                    })
                .onFailure(ctx::fail));
  }

  /**
   * The dashboard's live feed (Server-Sent Events); public like the tree, except for private
   * streams.
   */
  void dashboard(RoutingContext ctx) {
    streams.withStream(
        ctx,
        "the dashboard of a private stream needs the admin token",
        stream -> {
          if (!dashboard.subscribe(stream.name(), ctx.response())) {
            ctx.response().putHeader("Retry-After", "10");
            Json.error(
                ctx,
                503,
                RestError.TOO_MANY_DASHBOARDS,
                "this coordinator serves "
                    + DashboardFeed.MAX_SUBSCRIBERS
                    + " dashboards already; try again later or ask another coordinator");
          }
        });
  }
}

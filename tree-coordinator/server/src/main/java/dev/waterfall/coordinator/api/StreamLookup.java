package dev.waterfall.coordinator.api;

import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.coordinator.streams.StreamRecord;
import dev.waterfall.protocol.RestError;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;

/** Finds the stream a call's path names, and answers for it when it is missing or not theirs. */
final class StreamLookup {
  private final StreamCatalog catalog;
  private final AdminAuth admin;

  StreamLookup(StreamCatalog catalog, AdminAuth admin) {
    this.catalog = catalog;
    this.admin = admin;
  }

  /**
   * Looks the stream up for a public read and answers for it: 404 if there is none; 401 if a Bearer
   * token was sent and is not the admin token (a wrong credential is said so, not quietly served
   * the public view), or if the stream is private and the admin token is missing ({@code
   * privateMessage}). Otherwise hands the stream on.
   */
  void withStream(RoutingContext ctx, String privateMessage, Consumer<StreamRecord> then) {
    lookup(
        ctx,
        stream -> {
          boolean isAdmin = admin.allows(ctx);
          if (!isAdmin && ctx.request().getHeader("Authorization") != null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            Json.error(
                ctx,
                401,
                RestError.UNAUTHORIZED,
                "the Authorization header is not the admin token: send the admin token, or"
                    + " no Authorization for the public view");
          } else if (stream.privateStream() && !isAdmin) {
            Json.error(ctx, 401, RestError.UNAUTHORIZED, privateMessage);
          } else {
            then.accept(stream);
          }
        });
  }

  /** The stream named in the path, handed on; 404 if there is none. */
  void lookup(RoutingContext ctx, Consumer<StreamRecord> then) {
    String name = ctx.pathParam("name");
    catalog
        .registry()
        .get(name)
        .onSuccess(
            stream -> {
              if (stream == null) {
                noSuchStream(ctx, name);
              } else {
                then.accept(stream);
              }
            })
        .onFailure(ctx::fail);
  }

  static void noSuchStream(RoutingContext ctx, String name) {
    Json.error(ctx, 404, RestError.UNKNOWN_STREAM, "there is no stream named '" + name + "'");
  }
}

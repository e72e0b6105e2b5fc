package dev.waterfall.coordinator.api;

import dev.waterfall.coordinator.signalling.ClientAddresses;
import dev.waterfall.coordinator.streams.StreamCatalog;
import dev.waterfall.coordinator.streams.StreamRecord;
import dev.waterfall.coordinator.streams.UsableUrls;
import dev.waterfall.coordinator.streams.ViewerTokens;
import dev.waterfall.protocol.RestError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;

/** A stream's HTTP sources and signing key, for relays and for pages. */
final class FallbackCalls {
  private final StreamCatalog catalog;
  private final AdminAuth admin;
  private final ViewerTokens viewerTokens;
  private final Clock clock;
  private final ClientAddresses addresses;
  private final StreamLookup streams;

  FallbackCalls(
      StreamCatalog catalog,
      AdminAuth admin,
      ViewerTokens viewerTokens,
      Clock clock,
      ClientAddresses addresses,
      StreamLookup streams) {
    this.catalog = catalog;
    this.admin = admin;
    this.viewerTokens = viewerTokens;
    this.clock = clock;
    this.addresses = addresses;
    this.streams = streams;
  }

  /**
   * What a relay needs before it joins, and a page before it plays: the origin's signing key and
   * the HTTP sources (origin, boosters). Relays (a booster token) and the admin get every source;
   * anyone else gets those a page like theirs can fetch ({@link UsableUrls}), and how many were
   * withheld.
   */
  void fallbacks(RoutingContext ctx) {
    streams.lookup(
        ctx,
        stream -> {
          String bearer = bearer(ctx);
          Future<Boolean> relay =
              admin.allows(ctx)
                  ? Future.succeededFuture(true)
                  : bearer == null
                      ? Future.succeededFuture(false)
                      : catalog.registry().isBoosterToken(bearer);
          relay
              .onSuccess(
                  isRelay -> {
                    if (isRelay) {
                      replyFallbacks(ctx, stream, null);
                    } else if (!stream.privateStream()
                        || viewerTokens.check(stream, bearer, clock.millis())
                            == ViewerTokens.Verdict.VALID) {
                      // Those who may be in a private stream's tree need its fallbacks too:
                      // token-holding viewers.
                      replyFallbacks(ctx, stream, addresses.page(ctx.request()));
                    } else {
                      Json.error(
                          ctx,
                          401,
                          RestError.UNAUTHORIZED,
                          "the fallbacks of a private stream need the admin token, a booster token or a viewer token");
                    }
                  })
              .onFailure(ctx::fail);
        });
  }

  /** {@code page} null: a relay's answer, every source. */
  private void replyFallbacks(RoutingContext ctx, StreamRecord stream, UsableUrls.Page page) {
    catalog
        .fallbacks()
        .list(stream.name())
        .onSuccess(
            all -> {
              List<String> urls = page == null ? all : UsableUrls.forPage(all, page);
              JsonObject body =
                  new JsonObject()
                      .put("stream", stream.name())
                      .put("type", stream.type())
                      .put("publicKey", stream.publicKey())
                      .put("fallbacks", new JsonArray(urls));
              if (page != null) {
                // sources this page could not fetch (http, private)
                body.put("withheld", all.size() - urls.size());
              }
              Json.reply(ctx, 200, body);
            })
        .onFailure(ctx::fail);
  }

  private static String bearer(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : null;
  }
}

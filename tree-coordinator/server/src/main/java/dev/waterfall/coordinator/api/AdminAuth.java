package dev.waterfall.coordinator.api;

import dev.waterfall.protocol.RestError;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Admin calls need {@code Authorization: Bearer <admin token>}; compared in constant time. */
final class AdminAuth implements Handler<RoutingContext> {
  private final byte[] token;

  AdminAuth(String token) {
    this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  boolean allows(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    return header != null
        && MessageDigest.isEqual(token, header.trim().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (allows(ctx)) {
      ctx.next();
    } else {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      Json.error(
          ctx,
          401,
          RestError.UNAUTHORIZED,
          "this call needs 'Authorization: Bearer <admin token>'");
    }
  }
}

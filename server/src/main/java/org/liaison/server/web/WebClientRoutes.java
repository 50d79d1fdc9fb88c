package org.liaison.server.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the built web client. Paths that are not files (such as {@code /invite/<code>}) get {@code
 * index.html}, and the client's router takes over.
 */
public final class WebClientRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(WebClientRoutes.class);

  private WebClientRoutes() {}

  public static void mount(Router root, Path webRoot) {
    Path dir = webRoot.toAbsolutePath().normalize();
    Path index = dir.resolve("index.html");
    if (!Files.isRegularFile(index)) {
      LOG.warn("web client not found dir={}; build it with ./liaison start", dir);
      return;
    }
    root.route()
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(
            StaticHandler.create(FileSystemAccess.ROOT, dir.toString())
                .setIndexPage("index.html")
                .setDefaultContentEncoding("UTF-8"));
    root.getWithRegex("^/(?!api/|health$|metrics$).*")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/html; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .sendFile(index.toString()));
  }
}

package org.liaison.server.backup;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.regex.Pattern;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

/**
 * {@code /history}: the caller's own encrypted history backup (docs/crypto.md, "History backup").
 * Chunks are opaque: the server checks the ids, the framing (nonce, tag, a plaintext padded to a
 * multiple of {@link #PADDING}) and the sizes, and answers only the caller's own chunks; another
 * member's chunk does not exist for them. Not audited: chunks are written every few seconds while
 * messages arrive, and the audit log would only learn what the delivery log already shows.
 */
public final class HistoryRoutes {
  /** The client pads every chunk's plaintext to a multiple of this, so sizes say little. */
  public static final int PADDING = 1024;

  /** A 12-byte nonce and a 16-byte AES-GCM tag. */
  public static final int OVERHEAD = 12 + 16;

  private static final Pattern CHANNEL_ID = Pattern.compile("^[0-9a-f]{32}$");
  private static final Pattern CHUNK_ID = Pattern.compile("^[0-9]{1,9}$");

  private final HistoryRepository chunks;
  private final int maxChunkBytes;
  private final long maxBytesPerUser;
  private final Clock clock;

  public HistoryRoutes(
      HistoryRepository chunks, int maxChunkBytes, long maxBytesPerUser, Clock clock) {
    this.chunks = chunks;
    this.maxChunkBytes = maxChunkBytes;
    this.maxBytesPerUser = maxBytesPerUser;
    this.clock = clock;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.get("/history").handler(authenticated).handler(Handlers.json(200, this::list));
    api.put("/history/:channelId/:chunkId")
        .handler(authenticated)
        .handler(Handlers.json(200, this::store));
    api.get("/history/:channelId/:chunkId")
        .handler(authenticated)
        .handler(Handlers.json(200, this::fetch));
  }

  private Future<JsonObject> list(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    return chunks
        .ofUser(actor.user().id())
        .map(
            found ->
                new JsonObject()
                    .put(
                        "items",
                        new JsonArray(
                            found.stream().map(s -> s.chunk().summaryJson(s.size())).toList()))
                    .put(
                        "usedBytes",
                        found.stream().mapToLong(HistoryRepository.Summary::size).sum())
                    .put("maxBytes", maxBytesPerUser)
                    .put("maxChunkBytes", maxChunkBytes));
  }

  /** Stores or replaces one chunk; only a session bound to one of the caller's devices may. */
  private Future<JsonObject> store(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    actor.requireDevice();
    String channelId = channelId(ctx);
    String chunkId = chunkId(ctx);
    byte[] ciphertext =
        Base64Field.required(
            Bodies.json(ctx),
            "ciphertext",
            maxChunkBytes,
            () ->
                new ApiError(
                    413,
                    "history-chunk-too-large",
                    "A history chunk may be at most " + maxChunkBytes + " bytes",
                    new JsonObject().put("field", "ciphertext").put("max", maxChunkBytes)));
    if (ciphertext.length < OVERHEAD + PADDING || (ciphertext.length - OVERHEAD) % PADDING != 0) {
      throw ApiError.invalidField(
          "ciphertext",
          "ciphertext must be nonce[12] ‖ AES-GCM ciphertext of a plaintext padded to a multiple"
              + " of "
              + PADDING
              + " bytes ‖ tag[16]");
    }
    String userId = actor.user().id();
    return chunks
        .ofUser(userId)
        .compose(
            existing -> {
              long used =
                  existing.stream()
                      .filter(
                          s ->
                              !(s.chunk().channelId().equals(channelId)
                                  && s.chunk().chunkId().equals(chunkId)))
                      .mapToLong(HistoryRepository.Summary::size)
                      .sum();
              if (used + ciphertext.length > maxBytesPerUser) {
                throw new ApiError(
                    413,
                    "history-quota-exceeded",
                    "The history backup may hold at most " + maxBytesPerUser + " bytes",
                    new JsonObject().put("max", maxBytesPerUser).put("used", used));
              }
              HistoryChunk chunk =
                  new HistoryChunk(userId, channelId, chunkId, ciphertext, clock.instant());
              return chunks.replace(chunk).map(v -> chunk.summaryJson(ciphertext.length));
            });
  }

  private Future<JsonObject> fetch(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String channelId = channelId(ctx);
    String chunkId = chunkId(ctx);
    return chunks
        .find(actor.user().id(), channelId, chunkId)
        .map(
            found ->
                found
                    .orElseThrow(
                        () ->
                            ApiError.notFound(
                                "history-chunk-not-found", "No such history chunk is stored"))
                    .toJson());
  }

  private static String channelId(RoutingContext ctx) {
    String raw = ctx.pathParam("channelId");
    if (raw == null || !CHANNEL_ID.matcher(raw).matches()) {
      throw ApiError.invalidField("channelId", "channelId must be 32 lower-case hex characters");
    }
    return raw;
  }

  private static String chunkId(RoutingContext ctx) {
    String raw = ctx.pathParam("chunkId");
    if (raw == null || !CHUNK_ID.matcher(raw).matches()) {
      throw ApiError.invalidField("chunkId", "chunkId must be a whole number of 1 to 9 digits");
    }
    return raw;
  }
}

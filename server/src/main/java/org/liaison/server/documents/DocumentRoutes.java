package org.liaison.server.documents;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.api.Fields;
import org.liaison.server.auth.Actor;
import org.liaison.server.delivery.DeliveryService.Sender;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;
import org.liaison.server.http.RateLimit;

/** {@code /channels/{id}/documents} and {@code /channels/{id}/document-keyrings}, over HTTP. */
public final class DocumentRoutes {
  static final String DOCUMENTS = "/channels/:id/documents";
  static final String DOCUMENT = DOCUMENTS + "/:documentId";
  static final String SNAPSHOT = DOCUMENT + "/snapshot";
  static final String UPDATES = DOCUMENT + "/updates";
  static final String KEYRING = "/channels/:id/document-keyrings/:epoch";

  /** Headers hold a title and a template name, padded: a few KiB at most. */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  /** A keyring holds one 32-byte key per generation: one per removal in the channel's life. */
  static final int MAX_KEYRING_BYTES = 256 * 1024;

  static final int MAX_VERSION_BYTES = 16 * 1024;
  private static final int DEFAULT_PAGE = 500;
  private static final int MAX_PAGE = 500;

  private final Documents documents;
  private final int maxUpdateBytes;
  private final int maxSnapshotBytes;

  public DocumentRoutes(Documents documents, int maxUpdateBytes, int maxSnapshotBytes) {
    this.documents = documents;
    this.maxUpdateBytes = maxUpdateBytes;
    this.maxSnapshotBytes = maxSnapshotBytes;
  }

  /**
   * Body limits of their own for the routes that carry big binaries (an 8 MiB snapshot is about 11
   * MiB of base64 JSON), mounted before the API's general body handler, which then lets the body
   * already read pass: no other route gets a larger limit.
   */
  public void mountBodyLimits(Router api, int generalLimit) {
    api.put(SNAPSHOT).handler(bodyFor(maxSnapshotBytes, generalLimit));
    api.post(UPDATES).handler(bodyFor(maxUpdateBytes, generalLimit));
  }

  private static BodyHandler bodyFor(int maxBinaryBytes, int generalLimit) {
    long base64 = ((long) maxBinaryBytes + 2) / 3 * 4;
    return BodyHandler.create()
        .setBodyLimit(Math.max(generalLimit, base64 + 64 * 1024))
        .setHandleFileUploads(false);
  }

  /**
   * @param writeRate the device's HTTP write budget, shared with channel appends: every document
   *     write is a store write and a fan-out
   */
  public void mount(Router api, Handler<RoutingContext> authenticated, RateLimit writeRate) {
    Handler<RoutingContext> limited =
        ctx -> {
          try {
            writeRate.take(Actor.of(ctx).requireDevice());
          } catch (ApiError refused) {
            ctx.fail(refused);
            return;
          }
          ctx.next();
        };
    api.put(KEYRING).handler(authenticated).handler(Handlers.json(201, this::putKeyring));
    api.get(KEYRING).handler(authenticated).handler(Handlers.json(200, this::keyring));
    api.post(DOCUMENTS).handler(authenticated).handler(Handlers.json(201, this::create));
    api.get(DOCUMENTS).handler(authenticated).handler(Handlers.json(200, this::list));
    api.put(DOCUMENT + "/header").handler(authenticated).handler(Handlers.json(200, this::header));
    api.get(DOCUMENT).handler(authenticated).handler(Handlers.json(200, this::open));
    api.get(UPDATES).handler(authenticated).handler(Handlers.json(200, this::updates));
    api.post(UPDATES).handler(authenticated).handler(limited).handler(this::append);
    api.put(SNAPSHOT)
        .handler(authenticated)
        .handler(limited)
        .handler(Handlers.json(201, this::snapshot));
    api.post(DOCUMENT + "/versions")
        .handler(authenticated)
        .handler(limited)
        .handler(Handlers.json(201, this::addVersion));
    api.get(DOCUMENT + "/versions")
        .handler(authenticated)
        .handler(Handlers.json(200, this::versions));
  }

  // ---- keyrings ---------------------------------------------------------------------------

  private io.vertx.core.Future<JsonObject> putKeyring(RoutingContext ctx) {
    long epoch = epoch(ctx);
    byte[] ciphertext =
        Sealed.ciphertext(
            Bodies.json(ctx),
            "ciphertext",
            MAX_KEYRING_BYTES,
            Sealed.tooLarge("payload-too-large", "ciphertext", MAX_KEYRING_BYTES));
    return documents
        .putKeyring(sender(ctx), channelId(ctx), epoch, ciphertext)
        .map(e -> new JsonObject().put("epoch", e));
  }

  private io.vertx.core.Future<JsonObject> keyring(RoutingContext ctx) {
    long epoch = epoch(ctx);
    return documents
        .keyring(sender(ctx), channelId(ctx), epoch)
        .map(k -> new JsonObject().put("epoch", epoch).put("ciphertext", Base64Field.encode(k)));
  }

  private static long epoch(RoutingContext ctx) {
    try {
      long epoch = Long.parseLong(ctx.pathParam("epoch"));
      if (epoch >= 0) {
        return epoch;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.invalidField("epoch", "epoch must be a whole number >= 0");
  }

  // ---- documents --------------------------------------------------------------------------

  private io.vertx.core.Future<JsonObject> create(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    long generation = Fields.wholeNumber(body, "generation");
    byte[] header = header(body);
    return documents.create(sender(ctx), channelId(ctx), generation, header);
  }

  private static byte[] header(JsonObject body) {
    return Sealed.ciphertext(
        body,
        "header",
        MAX_HEADER_BYTES,
        Sealed.tooLarge("payload-too-large", "header", MAX_HEADER_BYTES));
  }

  private io.vertx.core.Future<JsonObject> list(RoutingContext ctx) {
    return documents
        .list(sender(ctx), channelId(ctx))
        .map(found -> new JsonObject().put("documents", new JsonArray(found)));
  }

  private io.vertx.core.Future<JsonObject> header(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    long generation = Fields.wholeNumber(body, "generation");
    byte[] header = header(body);
    return documents.setHeader(sender(ctx), channelId(ctx), documentId(ctx), generation, header);
  }

  private io.vertx.core.Future<JsonObject> open(RoutingContext ctx) {
    return documents
        .open(sender(ctx), channelId(ctx), documentId(ctx), MAX_PAGE)
        .map(
            opened ->
                new JsonObject()
                    .put("document", opened.summary())
                    .put("snapshot", opened.snapshot().orElse(null))
                    .put("updates", new JsonArray(opened.updates().updates()))
                    .put("more", opened.updates().more()));
  }

  private io.vertx.core.Future<JsonObject> updates(RoutingContext ctx) {
    long after = Fields.queryLong(ctx, "after", 0, 0, Long.MAX_VALUE - MAX_PAGE - 1);
    int limit = (int) Fields.queryLong(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
    return documents
        .updates(sender(ctx), channelId(ctx), documentId(ctx), after, limit)
        .map(
            page ->
                new JsonObject()
                    .put("updates", new JsonArray(page.updates()))
                    .put("more", page.more()));
  }

  /** 201 for a new update, 200 with {@code duplicate: true} for a resend of one. */
  private void append(RoutingContext ctx) {
    Handlers.run(
        ctx,
        c -> {
          JsonObject body = Bodies.json(c);
          long generation = Fields.wholeNumber(body, "generation");
          long clientSeq = positive(body, "clientSeq");
          byte[] ciphertext =
              Sealed.ciphertext(
                  body,
                  "ciphertext",
                  maxUpdateBytes,
                  Sealed.tooLarge("update-too-large", "ciphertext", maxUpdateBytes));
          byte[] signature = Sealed.signature(body);
          return documents.append(
              sender(c), channelId(c), documentId(c), generation, clientSeq, ciphertext, signature);
        },
        accepted ->
            Bodies.send(
                ctx,
                accepted.duplicate() ? 200 : 201,
                new JsonObject()
                    .put("seq", accepted.seq())
                    .put("duplicate", accepted.duplicate())));
  }

  private io.vertx.core.Future<JsonObject> snapshot(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    long coversSeq = positive(body, "coversSeq");
    long generation = Fields.wholeNumber(body, "generation");
    byte[] ciphertext =
        Sealed.ciphertext(
            body,
            "ciphertext",
            maxSnapshotBytes,
            Sealed.tooLarge("document-too-large", "ciphertext", maxSnapshotBytes));
    byte[] signature = Sealed.signature(body);
    return documents
        .snapshot(
            sender(ctx),
            channelId(ctx),
            documentId(ctx),
            coversSeq,
            generation,
            ciphertext,
            signature)
        .map(covers -> new JsonObject().put("coversSeq", covers));
  }

  private io.vertx.core.Future<JsonObject> addVersion(RoutingContext ctx) {
    JsonObject body = Bodies.json(ctx);
    long generation = Fields.wholeNumber(body, "generation");
    byte[] ciphertext =
        Sealed.ciphertext(
            body,
            "ciphertext",
            MAX_VERSION_BYTES,
            Sealed.tooLarge("payload-too-large", "ciphertext", MAX_VERSION_BYTES));
    byte[] signature = Sealed.signature(body);
    return documents.addVersion(
        sender(ctx), channelId(ctx), documentId(ctx), generation, ciphertext, signature);
  }

  private io.vertx.core.Future<JsonObject> versions(RoutingContext ctx) {
    return documents
        .versions(sender(ctx), channelId(ctx), documentId(ctx))
        .map(found -> new JsonObject().put("versions", new JsonArray(found)));
  }

  // ---- fields -----------------------------------------------------------------------------

  private static long positive(JsonObject body, String field) {
    long value = Fields.wholeNumber(body, field);
    if (value < 1) {
      throw ApiError.invalidField(field, field + " must be a whole number >= 1");
    }
    return value;
  }

  private static String channelId(RoutingContext ctx) {
    return Fields.id(ctx.pathParam("id"), "channel");
  }

  private static String documentId(RoutingContext ctx) {
    return Fields.id(ctx.pathParam("documentId"), "document");
  }

  private static Sender sender(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    return new Sender(actor.user(), actor.requireDevice());
  }
}

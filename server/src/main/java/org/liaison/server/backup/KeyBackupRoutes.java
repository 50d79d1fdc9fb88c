package org.liaison.server.backup;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.audit.AuditLog;
import org.liaison.server.auth.Actor;
import org.liaison.server.http.Bodies;
import org.liaison.server.http.Handlers;

/**
 * {@code /key-backup}: the caller's own encrypted key backup. The server checks only the shape
 * (version, salt length, cost bounds, size); it never sees the recovery code or anything the
 * ciphertext holds, and the audit log records that a backup was stored, not what it contains.
 */
public final class KeyBackupRoutes {
  public static final int VERSION = 1;
  public static final int SALT_LENGTH = 16;
  public static final int MAX_CIPHERTEXT = 64 * 1024;

  /** A 12-byte nonce and a 16-byte AES-GCM tag come with every sealed backup. */
  public static final int MIN_CIPHERTEXT = 12 + 16;

  /** Cost bounds: clients refuse a cost above these too, so a stored cost cannot exhaust them. */
  public static final int MIN_MEMORY_KIB = 8;

  public static final int MAX_MEMORY_KIB = 256 * 1024;
  public static final int MAX_ITERATIONS = 10;

  private final KeyBackupRepository backups;
  private final AuditLog audit;
  private final Clock clock;

  public KeyBackupRoutes(KeyBackupRepository backups, AuditLog audit, Clock clock) {
    this.backups = backups;
    this.audit = audit;
    this.clock = clock;
  }

  public void mount(Router api, Handler<RoutingContext> authenticated) {
    api.put("/key-backup").handler(authenticated).handler(Handlers.json(200, this::store));
    api.get("/key-backup").handler(authenticated).handler(Handlers.json(200, this::fetch));
  }

  /** Replaces the caller's backup; only a session bound to one of the caller's devices may. */
  private Future<JsonObject> store(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    String deviceId = actor.requireDevice();
    JsonObject body = Bodies.json(ctx);
    Object version = body.getValue("version");
    if (!(version instanceof Integer v) || v != VERSION) {
      throw ApiError.invalidField("version", "version must be " + VERSION);
    }
    // Read with room to spare so a wrong length is named as such rather than as "too large".
    byte[] salt = Base64Field.required(body, "salt", 4 * SALT_LENGTH);
    if (salt.length != SALT_LENGTH) {
      throw ApiError.invalidField("salt", "salt must be " + SALT_LENGTH + " bytes");
    }
    Object kdf = body.getValue("kdf");
    if (!(kdf instanceof JsonObject cost)) {
      throw ApiError.invalidField("kdf", "kdf must be an object {memoryKiB, iterations}");
    }
    int memoryKiB = bounded(cost, "memoryKiB", MIN_MEMORY_KIB, MAX_MEMORY_KIB);
    int iterations = bounded(cost, "iterations", 1, MAX_ITERATIONS);
    byte[] ciphertext = Base64Field.required(body, "ciphertext", MAX_CIPHERTEXT);
    if (ciphertext.length < MIN_CIPHERTEXT) {
      throw ApiError.invalidField(
          "ciphertext", "ciphertext must be at least " + MIN_CIPHERTEXT + " bytes");
    }
    KeyBackup backup =
        new KeyBackup(
            actor.user().id(),
            VERSION,
            salt,
            memoryKiB,
            iterations,
            ciphertext,
            deviceId,
            clock.instant());
    return backups
        .replace(backup)
        .compose(
            replaced ->
                audit
                    .append(
                        actor.user().id(),
                        "key-backup.stored",
                        actor.user().id(),
                        actor.user().cityId(),
                        Map.of("device", deviceId, "replaced", Boolean.toString(replaced)))
                    .map(
                        e ->
                            new JsonObject()
                                .put("version", VERSION)
                                .put("updatedAt", backup.updatedAt().toString())));
  }

  private Future<JsonObject> fetch(RoutingContext ctx) {
    Actor actor = Actor.of(ctx);
    return backups
        .ofUser(actor.user().id())
        .map(
            found ->
                found
                    .orElseThrow(
                        () -> ApiError.notFound("key-backup-not-found", "No key backup is stored"))
                    .toJson());
  }

  private static int bounded(JsonObject cost, String field, int min, int max) {
    Object value = cost.getValue(field);
    if (!(value instanceof Integer n) || n < min || n > max) {
      throw ApiError.invalidField(
          "kdf." + field, "kdf." + field + " must be an integer from " + min + " to " + max);
    }
    return n;
  }
}

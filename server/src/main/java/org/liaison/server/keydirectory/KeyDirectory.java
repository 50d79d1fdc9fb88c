package org.liaison.server.keydirectory;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.KeyPackageCheck;
import org.liaison.crypto.mls.MlsException;
import org.liaison.server.api.ApiError;
import org.liaison.server.devices.Device;
import org.liaison.server.devices.DeviceKeyPackages;
import org.liaison.server.devices.DeviceRepository;
import org.liaison.server.events.Events;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * MLS key packages, one-time and last-resort, per device. Only an attested device publishes, and
 * only packages that are its own ({@link KeyPackageCheck}); it keeps at most {@link
 * #MAX_STORED_PER_DEVICE} unused. Packages are stored under the SHA-256 of their bytes; each device
 * has one small document listing its available ones, so a claim is one atomic {@code $pop} on a
 * document found by {@code _id} (fast on both stores, and two concurrent claims never receive the
 * same package). A claimed package is marked issued: only issued packages may be added to a
 * channel.
 */
public final class KeyDirectory implements DeviceKeyPackages {
  public static final int MAX_STORED_PER_DEVICE = 200;

  private final Vertx vertx;
  private final MongoCollection<Document> packages;
  private final MongoCollection<Document> perDevice;
  private final DeviceRepository devices;
  private final Clock clock;

  /** A package as the directory knows it. */
  public record StoredPackage(
      String hash,
      String deviceId,
      String userId,
      byte[] bytes,
      boolean lastResort,
      boolean issued) {}

  /** What a claim returns for one device. */
  public record Claimed(String userId, String deviceId, byte[] keyPackage, boolean lastResort) {}

  /** What a device publishes: one-time packages, a last-resort one, or both. */
  public record Upload(List<byte[]> oneTime, Optional<byte[]> lastResort, boolean replace) {}

  /** The packages a claim handed out, and the users none was found for (in the order asked). */
  public record Claims(List<Claimed> items, List<String> missing) {}

  public KeyDirectory(Vertx vertx, Store store, DeviceRepository devices, Clock clock) {
    this.vertx = vertx;
    this.packages = store.collection("key_packages");
    this.perDevice = store.collection("device_key_packages");
    this.devices = devices;
    this.clock = clock;
  }

  /**
   * Publishes packages for the device, which must be attested. With {@code replace}, its unclaimed
   * one-time packages are withdrawn first (a restarted device lost their secrets). Every package
   * must be this device's own; the device keeps at most {@link #MAX_STORED_PER_DEVICE} unused.
   * Returns what it now holds.
   */
  public Future<Count> upload(String deviceId, Upload upload) {
    // A device that had no one-time package (just confirmed, restored, or drained) becomes
    // addable: its channels are told, so members add it without anyone asking (Events).
    java.util.concurrent.atomic.AtomicBoolean becameAddable =
        new java.util.concurrent.atomic.AtomicBoolean();
    return activeDevice(deviceId)
        .compose(
            device ->
                (upload.replace() ? withdrawOneTime(deviceId) : Future.<Void>succeededFuture())
                    .compose(v -> count(deviceId))
                    .compose(
                        count -> {
                          becameAddable.set(count.oneTime() == 0 && !upload.oneTime().isEmpty());
                          if (count.oneTime() + upload.oneTime().size() > MAX_STORED_PER_DEVICE) {
                            throw new ApiError(
                                409,
                                "too-many-key-packages",
                                "A device keeps at most "
                                    + MAX_STORED_PER_DEVICE
                                    + " unused key packages; it has "
                                    + count.oneTime());
                          }
                          List<byte[]> all = new ArrayList<>(upload.oneTime());
                          upload.lastResort().ifPresent(all::add);
                          // Signature checks cost ~0.1 ms each: off the event loop.
                          return vertx.executeBlocking(
                              () -> {
                                all.forEach(kp -> requireOwn(kp, device));
                                return device;
                              });
                        }))
        .compose(
            device ->
                store(deviceId, device.userId(), upload.oneTime(), upload.lastResort())
                    .onSuccess(
                        v -> {
                          if (becameAddable.get()) {
                            vertx
                                .eventBus()
                                .send(
                                    Events.DEVICE_READY,
                                    new JsonObject()
                                        .put("userId", device.userId())
                                        .put("deviceId", deviceId));
                          }
                        }))
        .compose(v -> count(deviceId));
  }

  private static void requireOwn(byte[] keyPackage, Device device) {
    ChannelSession.KeyPackageInfo info;
    try {
      info = KeyPackageCheck.inspect(keyPackage);
    } catch (MlsException e) {
      throw invalid("The key package does not decode or verify: " + e.getMessage());
    }
    KeyPackageCheck.mismatch(info, device.userId(), device.id(), device.signatureKey())
        .ifPresent(
            mismatch -> {
              throw invalid(
                  switch (mismatch) {
                    case OTHER_DEVICE ->
                        "The key package's credential names another user or device";
                    case OTHER_KEY -> "The key package is signed by another key than this device's";
                  });
            });
  }

  private static ApiError invalid(String message) {
    return new ApiError(422, "key-package-invalid", message);
  }

  private Future<Device> activeDevice(String deviceId) {
    return devices
        .byId(deviceId)
        .map(
            found -> {
              Device device = found.orElseThrow(ApiError::deviceNotFound);
              if (!device.active()) {
                throw new ApiError(
                    403,
                    "device-not-attested",
                    "This device needs a tier attestation from a coordinator first");
              }
              return device;
            });
  }

  /**
   * One package for each active device of these users, for adding them to a channel; users with no
   * package to give are listed as missing.
   */
  public Future<Claims> claimFor(Set<String> userIds) {
    return devices
        .ofUsers(userIds)
        .compose(
            found -> {
              List<Future<Optional<Claimed>>> claims = new ArrayList<>();
              for (Device device : found) {
                if (device.active()) {
                  claims.add(claim(device.userId(), device.id()));
                }
              }
              return Future.all(claims)
                  .map(
                      done -> {
                        List<Claimed> items = new ArrayList<>();
                        Set<String> served = new LinkedHashSet<>();
                        for (int i = 0; i < claims.size(); i++) {
                          Optional<Claimed> claimed = done.resultAt(i);
                          claimed.ifPresent(
                              c -> {
                                served.add(c.userId());
                                items.add(c);
                              });
                        }
                        List<String> missing =
                            userIds.stream().filter(u -> !served.contains(u)).toList();
                        return new Claims(items, missing);
                      });
            });
  }

  public static String hash(byte[] keyPackage) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(keyPackage));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stores already-validated packages for a device; duplicates of stored ones are ignored. */
  private Future<Void> store(
      String deviceId, String userId, List<byte[]> oneTime, Optional<byte[]> lastResort) {
    List<Document> docs = new ArrayList<>();
    List<String> oneTimeHashes = new ArrayList<>();
    for (byte[] bytes : oneTime) {
      String h = hash(bytes);
      if (!oneTimeHashes.contains(h)) {
        oneTimeHashes.add(h);
        docs.add(document(h, deviceId, userId, bytes, false));
      }
    }
    lastResort.ifPresent(b -> docs.add(document(hash(b), deviceId, userId, b, true)));
    Future<Void> inserted =
        docs.isEmpty()
            ? Future.succeededFuture()
            : Mongo.optional(packages.insertMany(docs, new InsertManyOptions().ordered(false)))
                .<Void>mapEmpty()
                .recover(e -> Mongo.isDuplicateKey(e) ? Future.succeededFuture() : failed(e));
    List<org.bson.conversions.Bson> updates = new ArrayList<>();
    if (!oneTimeHashes.isEmpty()) {
      updates.add(Updates.addEachToSet("available", oneTimeHashes));
    }
    lastResort.ifPresent(b -> updates.add(Updates.set("lastResort", hash(b))));
    if (updates.isEmpty()) {
      return inserted;
    }
    return inserted.compose(
        v ->
            Mongo.first(
                    perDevice.updateOne(
                        Filters.eq("_id", deviceId),
                        Updates.combine(updates),
                        new UpdateOptions().upsert(true)))
                .mapEmpty());
  }

  private static <T> Future<T> failed(Throwable e) {
    return Future.failedFuture(e);
  }

  private Document document(
      String hash, String deviceId, String userId, byte[] bytes, boolean lastResort) {
    return new Document("_id", hash)
        .append("deviceId", deviceId)
        .append("userId", userId)
        .append("bytes", new Binary(bytes))
        .append("lastResort", lastResort)
        .append("issued", false)
        .append("storedAt", java.util.Date.from(clock.instant()));
  }

  public record Count(int oneTime, boolean lastResort) {}

  public Future<Count> count(String deviceId) {
    return Mongo.optional(perDevice.find(Filters.eq("_id", deviceId)).first())
        .map(
            d ->
                d.map(
                        doc ->
                            new Count(
                                doc.getList("available", String.class, List.of()).size(),
                                doc.getString("lastResort") != null))
                    .orElse(new Count(0, false)));
  }

  /**
   * One package for a device: the oldest one-time package, removed from the device's list in the
   * same atomic update, or the last-resort one when none is left. Empty if the device has none.
   */
  private Future<Optional<Claimed>> claim(String userId, String deviceId) {
    return Mongo.optional(
            perDevice.findOneAndUpdate(
                Filters.eq("_id", deviceId),
                Updates.popFirst("available"),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE)))
        .compose(
            before -> {
              if (before.isEmpty()) {
                return Future.succeededFuture(Optional.<Claimed>empty());
              }
              List<String> available = before.get().getList("available", String.class, List.of());
              boolean lastResort = available.isEmpty();
              String chosen = lastResort ? before.get().getString("lastResort") : available.get(0);
              if (chosen == null) {
                return Future.succeededFuture(Optional.<Claimed>empty());
              }
              return Mongo.optional(
                      packages.findOneAndUpdate(
                          Filters.eq("_id", chosen),
                          Updates.combine(
                              Updates.set("issued", true),
                              Updates.set("issuedAt", java.util.Date.from(clock.instant()))),
                          new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
                  .map(
                      doc ->
                          doc.map(
                              d ->
                                  new Claimed(
                                      userId,
                                      deviceId,
                                      d.get("bytes", Binary.class).getData(),
                                      lastResort)));
            });
  }

  /** The stored packages with these hashes (missing ones are absent from the map). */
  public Future<Map<String, StoredPackage>> byHashes(Collection<String> hashes) {
    if (hashes.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return Mongo.list(packages.find(Filters.in("_id", hashes)))
        .map(
            docs ->
                docs.stream()
                    .map(
                        d ->
                            new StoredPackage(
                                d.getString("_id"),
                                d.getString("deviceId"),
                                d.getString("userId"),
                                d.get("bytes", Binary.class).getData(),
                                d.getBoolean("lastResort", false),
                                d.getBoolean("issued", false)))
                    .collect(Collectors.toMap(StoredPackage::hash, Function.identity())));
  }

  /** One-time packages are gone once a commit used them; a last-resort one stays. */
  public Future<Void> consume(Collection<StoredPackage> used) {
    List<String> oneTime =
        used.stream().filter(p -> !p.lastResort()).map(StoredPackage::hash).toList();
    if (oneTime.isEmpty()) {
      return Future.succeededFuture();
    }
    return Mongo.first(packages.deleteMany(Filters.in("_id", oneTime))).mapEmpty();
  }

  /**
   * Withdraws a device's unclaimed one-time packages: a device that restarted without their secrets
   * replaces them, so nobody adds it with a package it can no longer open.
   */
  public Future<Void> withdrawOneTime(String deviceId) {
    return Mongo.optional(
            perDevice.findOneAndUpdate(
                Filters.eq("_id", deviceId),
                Updates.set("available", List.of()),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE)))
        .compose(
            before -> {
              List<String> withdrawn =
                  before
                      .map(d -> d.getList("available", String.class, List.of()))
                      .orElse(List.of());
              return withdrawn.isEmpty()
                  ? Future.<Void>succeededFuture()
                  : Mongo.first(packages.deleteMany(Filters.in("_id", withdrawn))).<Void>mapEmpty();
            });
  }

  /** A revoked device's packages can never be claimed or added again. */
  @Override
  public Future<Void> forgetDevice(String deviceId) {
    return Mongo.first(perDevice.deleteOne(Filters.eq("_id", deviceId)))
        .compose(v -> Mongo.first(packages.deleteMany(Filters.eq("deviceId", deviceId))))
        .mapEmpty();
  }
}

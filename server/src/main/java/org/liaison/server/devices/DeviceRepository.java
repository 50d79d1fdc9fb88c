package org.liaison.server.devices;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/** Devices by id; a user's devices by the {@code userId} index (a scan on the embedded store). */
public final class DeviceRepository {
  private static final int MAX_PER_QUERY = 1000;
  private final MongoCollection<Document> devices;

  public DeviceRepository(Store store) {
    this.devices = store.collection("devices");
  }

  public Future<Void> createIndexes() {
    return Mongo.first(devices.createIndex(Indexes.ascending("userId"))).mapEmpty();
  }

  public Future<Device> insert(Device device) {
    return Mongo.first(devices.insertOne(device.toDocument())).map(r -> device);
  }

  public Future<Optional<Device>> byId(String id) {
    return Mongo.optional(devices.find(Filters.eq("_id", id)).first())
        .map(d -> d.map(Device::fromDocument));
  }

  public Future<List<Device>> byIds(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return Mongo.list(devices.find(Filters.in("_id", ids)))
        .map(docs -> docs.stream().map(Device::fromDocument).toList());
  }

  public Future<List<Device>> ofUsers(Collection<String> userIds) {
    return Mongo.list(devices.find(Filters.in("userId", userIds)).limit(MAX_PER_QUERY))
        .map(docs -> docs.stream().map(Device::fromDocument).toList());
  }

  /** Devices a coordinator should attest: new ones, and those whose attestation was withdrawn. */
  public Future<List<Device>> awaitingAttestation() {
    return Mongo.list(
            devices
                .find(
                    Filters.in(
                        "status",
                        DeviceStatus.AWAITING_ATTESTATION.wire(),
                        DeviceStatus.PENDING.wire()))
                .limit(MAX_PER_QUERY))
        .map(docs -> docs.stream().map(Device::fromDocument).toList());
  }

  /** These users' devices whose attestation was withdrawn and not yet confirmed again. */
  public Future<List<Device>> pendingOf(Collection<String> userIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return Mongo.list(
            devices
                .find(
                    Filters.and(
                        Filters.in("userId", userIds),
                        Filters.eq("status", DeviceStatus.PENDING.wire())))
                .limit(MAX_PER_QUERY))
        .map(docs -> docs.stream().map(Device::fromDocument).toList());
  }

  /**
   * Takes an active device back to pending and removes its attestation, in one update; the device
   * as it was before, or empty if it was not active (revoked or changed meanwhile).
   */
  public Future<Optional<Device>> withdrawAttestation(String id) {
    return Mongo.optional(
            devices.findOneAndUpdate(
                Filters.and(
                    Filters.eq("_id", id), Filters.eq("status", DeviceStatus.ACTIVE.wire())),
                Updates.combine(
                    Updates.set("attestation", null),
                    Updates.set("status", DeviceStatus.PENDING.wire())),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.BEFORE)))
        .map(d -> d.map(Device::fromDocument));
  }

  /** Attaches a verified attestation unless the device was revoked meanwhile. */
  public Future<Optional<Device>> attest(String id, byte[] chain) {
    return Mongo.optional(
            devices.findOneAndUpdate(
                Filters.and(
                    Filters.eq("_id", id), Filters.ne("status", DeviceStatus.REVOKED.wire())),
                Updates.combine(
                    Updates.set("attestation", new Binary(chain)),
                    Updates.set("status", DeviceStatus.ACTIVE.wire())),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(Device::fromDocument));
  }

  /** Renames a device unless it was revoked meanwhile; the device as renamed. */
  public Future<Optional<Device>> rename(String id, String name) {
    return Mongo.optional(
            devices.findOneAndUpdate(
                Filters.and(
                    Filters.eq("_id", id), Filters.ne("status", DeviceStatus.REVOKED.wire())),
                Updates.set("name", name),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)))
        .map(d -> d.map(Device::fromDocument));
  }

  /**
   * Stores the device's broadcast-key statement (docs/broadcasts.md) unless the device was revoked
   * meanwhile; the first publication also records {@code from}, the broadcast head then: nothing
   * before it can hold a wrap for this device. False if the device is revoked or gone.
   */
  public Future<Boolean> setBroadcastKey(String id, BroadcastKey key, long from) {
    return Mongo.first(
            devices.updateOne(
                Filters.and(
                    Filters.eq("_id", id), Filters.ne("status", DeviceStatus.REVOKED.wire())),
                Updates.set("broadcastKey", key.toDocument())))
        .compose(
            r -> {
              if (r.getMatchedCount() == 0) {
                return Future.succeededFuture(false);
              }
              return Mongo.first(
                      devices.updateOne(
                          Filters.and(
                              Filters.eq("_id", id), Filters.exists("broadcastFrom", false)),
                          Updates.set("broadcastFrom", from)))
                  .map(true);
            });
  }

  /** A device with its broadcast key, as broadcasts see it. */
  public record Receiving(Device device, Optional<BroadcastKey> broadcastKey, long broadcastFrom) {
    /** Active (so attested) and holding a broadcast key: a broadcast can be wrapped to it. */
    public boolean canReceive() {
      return device.active() && device.attestation().isPresent() && broadcastKey.isPresent();
    }
  }

  private static Receiving receiving(Document d) {
    Document key = d.get("broadcastKey", Document.class);
    Number from = d.get("broadcastFrom", Number.class);
    return new Receiving(
        Device.fromDocument(d),
        Optional.ofNullable(key).map(BroadcastKey::fromDocument),
        from == null ? 0 : from.longValue());
  }

  public Future<Optional<Receiving>> receivingById(String id) {
    return Mongo.optional(devices.find(Filters.eq("_id", id)).first())
        .map(d -> d.map(DeviceRepository::receiving));
  }

  /**
   * Every active device holding a broadcast key, up to {@code limit}: a bounded administrative scan
   * (a broadcast's audience), never on a hot path.
   */
  public Future<List<Receiving>> receivingAll(int limit) {
    return Mongo.list(
            devices
                .find(
                    Filters.and(
                        Filters.eq("status", DeviceStatus.ACTIVE.wire()),
                        Filters.exists("broadcastKey", true)))
                .limit(limit))
        .map(docs -> docs.stream().map(DeviceRepository::receiving).toList());
  }

  public Future<Void> revoke(String id) {
    return Mongo.first(
            devices.updateOne(
                Filters.eq("_id", id), Updates.set("status", DeviceStatus.REVOKED.wire())))
        .mapEmpty();
  }
}

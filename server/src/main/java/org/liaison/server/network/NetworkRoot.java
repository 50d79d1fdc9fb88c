package org.liaison.server.network;

import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.vertx.core.Future;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.server.api.ApiError;
import org.liaison.server.store.Mongo;
import org.liaison.server.store.Store;

/**
 * The network root's Ed25519 public key: the anchor of every tier attestation. Set once by a
 * network admin; the root's private key never reaches the server. Clients trust the root they were
 * configured with, not this copy: the server uses it to refuse bad attestations early.
 */
public final class NetworkRoot {
  private static final String ID = "root";
  private final MongoCollection<Document> network;
  // Immutable once set, so a node may keep it for good after the first read that finds it.
  private volatile byte[] cached;

  public NetworkRoot(Store store) {
    this.network = store.collection("network");
  }

  public Future<Optional<byte[]>> key() {
    byte[] known = cached;
    if (known != null) {
      return Future.succeededFuture(Optional.of(known));
    }
    return Mongo.optional(network.find(Filters.eq("_id", ID)).first())
        .map(
            d ->
                d.map(
                    doc -> {
                      cached = doc.get("rootKey", Binary.class).getData();
                      return cached;
                    }));
  }

  public Future<byte[]> requireKey() {
    return key()
        .map(
            k ->
                k.orElseThrow(
                    () ->
                        new ApiError(
                            409,
                            "root-key-missing",
                            "The network root key is not set yet; a network admin sets it once")));
  }

  /** Sets the key; a second call fails with 409 even with the same key. */
  public Future<Void> setOnce(byte[] rootKey) {
    return Mongo.first(
            network.insertOne(new Document("_id", ID).append("rootKey", new Binary(rootKey))))
        .<Void>mapEmpty()
        .recover(
            e ->
                Mongo.isDuplicateKey(e)
                    ? Future.failedFuture(
                        ApiError.conflict("root-key-set", "The network root key is already set"))
                    : Future.failedFuture(e));
  }

  public static String fingerprint(byte[] rootKey) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rootKey));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package org.liaison.client.documents;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.liaison.crypto.documents.DocumentKeyring;

/**
 * What a device keeps about documents between runs: each channel's generation keys (so a device
 * that rejoined in a new epoch can still write that epoch's keyring), the leaf keys it has seen per
 * device (so an update by a device that has since left still verifies), and its own {@code
 * clientSeq} per document (dense, so restarts continue the sequence). Every change is handed to the
 * saver at once: a {@code clientSeq} is saved before the update that uses it is sent.
 *
 * <p>JSON: {@code {keyrings: {channelId: keyring-json}, leafKeys: {channelId: {deviceId:
 * [base64url]}}, clientSeq: {documentId: n}}}. It holds keys in the clear, like the device's
 * signature key next to it: the file must be owner-only.
 */
public final class DocumentKeyStore {
  private final Map<String, DocumentKeyring> keyrings = new HashMap<>();
  private final Map<String, Map<String, Set<String>>> leafKeys = new HashMap<>();
  private final Map<String, Long> clientSeq = new HashMap<>();
  private final Consumer<JsonObject> saver;

  private DocumentKeyStore(Consumer<JsonObject> saver) {
    this.saver = saver;
  }

  /** A store that keeps nothing beyond this run. */
  public static DocumentKeyStore inMemory() {
    return new DocumentKeyStore(json -> {});
  }

  public static DocumentKeyStore fromJson(JsonObject json, Consumer<JsonObject> saver) {
    DocumentKeyStore store = new DocumentKeyStore(saver);
    if (json == null) {
      return store;
    }
    JsonObject rings = json.getJsonObject("keyrings", new JsonObject());
    for (String channel : rings.fieldNames()) {
      store.keyrings.put(
          channel, DocumentKeyring.decode(rings.getJsonObject(channel).toBuffer().getBytes()));
    }
    JsonObject leaves = json.getJsonObject("leafKeys", new JsonObject());
    for (String channel : leaves.fieldNames()) {
      JsonObject devices = leaves.getJsonObject(channel);
      for (String device : devices.fieldNames()) {
        devices
            .getJsonArray(device)
            .forEach(
                key ->
                    store
                        .leafKeys
                        .computeIfAbsent(channel, c -> new HashMap<>())
                        .computeIfAbsent(device, d -> new LinkedHashSet<>())
                        .add((String) key));
      }
    }
    JsonObject seqs = json.getJsonObject("clientSeq", new JsonObject());
    for (String document : seqs.fieldNames()) {
      store.clientSeq.put(document, seqs.getLong(document));
    }
    return store;
  }

  public synchronized JsonObject toJson() {
    JsonObject rings = new JsonObject();
    keyrings.forEach(
        (channel, ring) ->
            rings.put(channel, new JsonObject(new String(ring.encode(), StandardCharsets.UTF_8))));
    JsonObject leaves = new JsonObject();
    leafKeys.forEach(
        (channel, devices) -> {
          JsonObject byDevice = new JsonObject();
          devices.forEach(
              (device, keys) -> byDevice.put(device, new JsonArray(new ArrayList<>(keys))));
          leaves.put(channel, byDevice);
        });
    JsonObject seqs = new JsonObject();
    clientSeq.forEach(seqs::put);
    return new JsonObject().put("keyrings", rings).put("leafKeys", leaves).put("clientSeq", seqs);
  }

  public synchronized DocumentKeyring keyring(String channelId) {
    return keyrings.getOrDefault(channelId, DocumentKeyring.empty());
  }

  /** Adds the generations of {@code found} to what is known of the channel. */
  public synchronized DocumentKeyring remember(String channelId, DocumentKeyring found) {
    DocumentKeyring known = keyring(channelId);
    DocumentKeyring merged = known.merge(found);
    if (merged.generations().size() != known.generations().size()) {
      keyrings.put(channelId, merged);
      save();
    }
    return merged;
  }

  /** Records leaf keys seen on verified leaves of the channel's devices. */
  public synchronized void rememberLeaves(String channelId, Map<String, byte[]> keysByDevice) {
    boolean changed = false;
    for (Map.Entry<String, byte[]> leaf : keysByDevice.entrySet()) {
      changed |=
          leafKeys
              .computeIfAbsent(channelId, c -> new HashMap<>())
              .computeIfAbsent(leaf.getKey(), d -> new LinkedHashSet<>())
              .add(b64(leaf.getValue()));
    }
    if (changed) {
      save();
    }
  }

  /** Every leaf key this device has seen for {@code deviceId} in the channel. */
  public synchronized List<byte[]> leafKeys(String channelId, String deviceId) {
    return leafKeys.getOrDefault(channelId, Map.of()).getOrDefault(deviceId, Set.of()).stream()
        .map(key -> Base64.getUrlDecoder().decode(key))
        .toList();
  }

  public synchronized long lastClientSeq(String documentId) {
    return clientSeq.getOrDefault(documentId, 0L);
  }

  /** Takes the next {@code clientSeq} for this device's next update, saved before it is used. */
  public synchronized long nextClientSeq(String documentId) {
    long next = lastClientSeq(documentId) + 1;
    clientSeq.put(documentId, next);
    save();
    return next;
  }

  /** Moves the counter forward (never back): the document's log holds a later number. */
  public synchronized void advanceClientSeq(String documentId, long last) {
    if (last > lastClientSeq(documentId)) {
      clientSeq.put(documentId, last);
      save();
    }
  }

  /**
   * Sets the counter to {@code last}, also backwards: the server expects {@code last + 1}, so the
   * numbers after it were taken but never stored (a run that stopped between saving and sending).
   */
  public synchronized void resetClientSeq(String documentId, long last) {
    clientSeq.put(documentId, last);
    save();
  }

  private void save() {
    saver.accept(toJson());
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

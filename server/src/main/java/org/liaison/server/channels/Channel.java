package org.liaison.server.channels;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bson.Document;
import org.bson.types.Binary;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.server.api.Base64Field;

/**
 * A channel as stored: its MLS group id (which carries the policy), owners, and the membership and
 * epoch as of log entry {@code seqHint}. The log is the truth; this document is a snapshot of it
 * that a node brings up to date by replaying the commits after {@code seqHint}. {@code leaving}
 * lists members who asked to leave: any member may commit their removal (MLS does not let a member
 * commit its own). {@code removalsDue} lists every removal members owe (leave requests, revoked
 * devices, suspended members, members who no longer meet the policy) until a commit carries it out.
 */
public record Channel(
    String id,
    byte[] groupId,
    ChannelKind kind,
    ChannelPolicy policy,
    List<String> owners,
    long epoch,
    List<Leaf> leaves,
    long seqHint,
    long firstSeq,
    byte[] groupInfo,
    Optional<Meta> meta,
    List<String> leaving,
    List<RemovalDue> removalsDue,
    String createdBy,
    Instant createdAt) {

  /** The channel's name and description, encrypted by clients under an epoch's exporter key. */
  public record Meta(long epoch, byte[] ciphertext) {
    JsonObject toJson() {
      return new JsonObject().put("epoch", epoch).put("ciphertext", Base64Field.encode(ciphertext));
    }
  }

  public Optional<Integer> leafOf(String deviceId) {
    for (int i = 0; i < leaves.size(); i++) {
      Leaf leaf = leaves.get(i);
      if (leaf != null && leaf.deviceId().equals(deviceId)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  public boolean hasUser(String userId) {
    return Leaf.anyOf(leaves, userId);
  }

  public JsonObject toJson() {
    JsonArray members = new JsonArray();
    for (int i = 0; i < leaves.size(); i++) {
      if (leaves.get(i) != null) {
        members.add(leaves.get(i).toJson(i));
      }
    }
    JsonObject json =
        new JsonObject()
            .put("id", id)
            .put("groupId", Base64Field.encode(groupId))
            .put("kind", kind.wire())
            .put("policy", Policies.toJson(policy))
            .put("owners", new JsonArray(owners))
            .put("epoch", epoch)
            .put("members", members)
            .put("firstSeq", firstSeq)
            .put("leaving", new JsonArray(leaving))
            .put(
                "removalsDue", new JsonArray(removalsDue.stream().map(RemovalDue::toJson).toList()))
            .put("createdBy", createdBy)
            .put("createdAt", createdAt.toString());
    meta.ifPresent(m -> json.put("meta", m.toJson()));
    return json;
  }

  static List<Document> leavesToDocuments(List<Leaf> leaves) {
    List<Document> docs = new ArrayList<>();
    for (Leaf leaf : leaves) {
      docs.add(leaf == null ? null : leaf.toDocument());
    }
    return docs;
  }

  static List<Document> removalsToDocuments(java.util.Collection<RemovalDue> due) {
    return due.stream().map(RemovalDue::toDocument).toList();
  }

  Document toDocument() {
    return new Document("_id", id)
        .append("groupId", new Binary(groupId))
        .append("kind", kind.wire())
        .append("policy", Policies.toDocument(policy))
        .append("owners", owners)
        .append("epoch", epoch)
        .append("leaves", leavesToDocuments(leaves))
        .append("seqHint", seqHint)
        .append("firstSeq", firstSeq)
        .append("groupInfo", new Binary(groupInfo))
        .append(
            "meta",
            meta.map(
                    m ->
                        new Document("epoch", m.epoch())
                            .append("ciphertext", new Binary(m.ciphertext())))
                .orElse(null))
        .append("leaving", leaving)
        .append("removalsDue", removalsToDocuments(removalsDue))
        .append("createdBy", createdBy)
        .append("createdAt", java.util.Date.from(createdAt));
  }

  static Channel fromDocument(Document d) {
    List<Leaf> leaves = new ArrayList<>();
    for (Object leaf : d.getList("leaves", Object.class)) {
      leaves.add(leaf == null ? null : Leaf.fromDocument((Document) leaf));
    }
    Document meta = d.get("meta", Document.class);
    return new Channel(
        d.getString("_id"),
        d.get("groupId", Binary.class).getData(),
        ChannelKind.parse(d.getString("kind")),
        Policies.fromDocument(d.get("policy", Document.class)),
        d.getList("owners", String.class),
        d.getLong("epoch"),
        leaves,
        d.getLong("seqHint"),
        d.getLong("firstSeq"),
        d.get("groupInfo", Binary.class).getData(),
        Optional.ofNullable(meta)
            .map(m -> new Meta(m.getLong("epoch"), m.get("ciphertext", Binary.class).getData())),
        d.getList("leaving", String.class, List.of()),
        d.getList("removalsDue", Document.class, List.of()).stream()
            .map(RemovalDue::fromDocument)
            .toList(),
        d.getString("createdBy"),
        d.getDate("createdAt").toInstant());
  }
}

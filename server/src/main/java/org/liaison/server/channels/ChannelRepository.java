package org.liaison.server.channels;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
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

/**
 * Channels by id, and each user's channel ids in one document ({@code memberships}, keyed by user
 * id), so "my channels" is two {@code _id} reads on either store.
 */
public final class ChannelRepository {
  private final MongoCollection<Document> channels;
  private final MongoCollection<Document> memberships;

  public ChannelRepository(Store store) {
    this.channels = store.collection("channels");
    this.memberships = store.collection("memberships");
  }

  public Future<Channel> insert(Channel channel) {
    return Mongo.first(channels.insertOne(channel.toDocument())).map(r -> channel);
  }

  public Future<Optional<Channel>> byId(String id) {
    return Mongo.optional(channels.find(Filters.eq("_id", id)).first())
        .map(d -> d.map(Channel::fromDocument));
  }

  public Future<List<Channel>> byIds(Collection<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return Mongo.list(channels.find(Filters.in("_id", ids)))
        .map(docs -> docs.stream().map(Channel::fromDocument).toList());
  }

  /** Every channel id, for the retention job (a bounded periodic scan). */
  public Future<List<String>> allIds() {
    return Mongo.list(channels.find().projection(new Document("_id", 1)))
        .map(docs -> docs.stream().map(d -> d.getString("_id")).toList());
  }

  /**
   * Writes the snapshot of membership and epoch as of {@code seq}; only moves forward, so a slower
   * node cannot overwrite a newer snapshot with an older one.
   */
  public Future<Void> saveSnapshot(
      String id, long epoch, List<Leaf> leaves, long seq, Optional<byte[]> groupInfo) {
    var update =
        new java.util.ArrayList<>(
            List.of(
                Updates.set("epoch", epoch),
                Updates.set("leaves", Channel.leavesToDocuments(leaves)),
                Updates.set("seqHint", seq)));
    groupInfo.ifPresent(g -> update.add(Updates.set("groupInfo", new Binary(g))));
    return Mongo.first(
            channels.updateOne(
                Filters.and(Filters.eq("_id", id), Filters.lt("seqHint", seq)),
                Updates.combine(update)))
        .mapEmpty();
  }

  public Future<Void> setMeta(String id, Channel.Meta meta) {
    return Mongo.first(
            channels.updateOne(
                Filters.eq("_id", id),
                Updates.set(
                    "meta",
                    new Document("epoch", meta.epoch())
                        .append("ciphertext", new Binary(meta.ciphertext())))))
        .mapEmpty();
  }

  /** The leave requests and the removals members owe, as the delivery service now knows them. */
  public Future<Void> setRemovals(
      String id, Collection<String> leaving, Collection<RemovalDue> removalsDue) {
    return Mongo.first(
            channels.updateOne(
                Filters.eq("_id", id),
                Updates.combine(
                    Updates.set("leaving", List.copyOf(leaving)),
                    Updates.set("removalsDue", Channel.removalsToDocuments(removalsDue)))))
        .mapEmpty();
  }

  public Future<Void> setFirstSeq(String id, long firstSeq) {
    return Mongo.first(
            channels.updateOne(
                Filters.and(Filters.eq("_id", id), Filters.lt("firstSeq", firstSeq)),
                Updates.set("firstSeq", firstSeq)))
        .mapEmpty();
  }

  public Future<List<String>> channelsOf(String userId) {
    return Mongo.optional(memberships.find(Filters.eq("_id", userId)).first())
        .map(d -> d.map(doc -> doc.getList("channels", String.class, List.of())).orElse(List.of()));
  }

  public Future<Void> join(Collection<String> userIds, String channelId) {
    return updateEach(userIds, Updates.addToSet("channels", channelId));
  }

  public Future<Void> leave(Collection<String> userIds, String channelId) {
    return updateEach(userIds, Updates.pull("channels", channelId));
  }

  private Future<Void> updateEach(Collection<String> userIds, org.bson.conversions.Bson update) {
    return Future.all(
            userIds.stream()
                .map(
                    u ->
                        Mongo.first(
                            memberships.updateOne(
                                Filters.eq("_id", u), update, new UpdateOptions().upsert(true))))
                .toList())
        .mapEmpty();
  }
}

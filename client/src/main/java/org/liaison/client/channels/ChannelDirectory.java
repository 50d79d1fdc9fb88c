package org.liaison.client.channels;

import static org.liaison.client.channels.DeviceContext.LOG;
import static org.liaison.client.channels.DeviceContext.done;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.liaison.client.LiaisonClient;
import org.liaison.client.channels.ChannelEvent.MemberRef;
import org.liaison.crypto.codec.DecodeException;
import org.liaison.crypto.mls.ChannelGroupId;
import org.liaison.crypto.mls.ChannelPolicy;
import org.liaison.crypto.mls.ChannelSession;

/**
 * The server's channel records, read as claims: each is checked against its own MLS group id (the
 * channel id and the policy must match it), and its name and description are sealed under an
 * epoch's meta key. Runs on the device's context.
 */
final class ChannelDirectory {
  private final DeviceContext ctx;
  private final LiaisonClient client;
  private final DeviceRegistration device;

  ChannelDirectory(DeviceContext ctx, DeviceRegistration device) {
    this.ctx = ctx;
    this.client = ctx.client;
    this.device = device;
  }

  /** Creates a channel with this device as its only member; answers its id. */
  Future<String> create(String kind, ChannelPolicy policy, ChannelMeta meta) {
    device.requireKeys();
    ChannelGroupId groupId = ChannelGroupId.create(policy);
    ChannelSession session =
        ChannelSession.create(device.identity(), groupId.encode(), ctx.trustFor(policy));
    JsonObject sealedMeta =
        new JsonObject()
            .put("epoch", session.epoch())
            .put("ciphertext", LiaisonClient.b64(meta.encrypt(ChannelMeta.key(session))));
    return client
        .createChannel(
            groupId.encode(), kind, PolicyJson.toJson(policy), session.groupInfo(), sealedMeta)
        .map(
            json -> {
              String id = groupId.channelIdHex();
              if (!id.equals(json.getString("id"))) {
                throw new UntrustedServerException(
                    "server named the new channel " + json.getString("id"));
              }
              ChannelState ch = ctx.channel(id);
              ch.groupId = groupId;
              ch.kind = kind;
              ch.meta = Optional.of(meta);
              ch.log = new ChannelLog(id, session, 0);
              return id;
            });
  }

  /** The channels this device is in, with names where it can read them. */
  Future<List<ChannelInfo>> list() {
    return client
        .channels()
        .map(
            items -> {
              List<ChannelInfo> out = new ArrayList<>();
              for (int i = 0; i < items.size(); i++) {
                out.add(info(items.getJsonObject(i)));
              }
              return out;
            });
  }

  Future<ChannelInfo> get(String channelId) {
    return client.channel(channelId).map(this::info);
  }

  /** Reads the server's channel record and checks it against its own group id. */
  Future<JsonObject> load(ChannelState ch) {
    return client
        .channel(ch.id)
        .map(
            json -> {
              ChannelGroupId groupId = groupIdOf(json);
              if (ch.groupId != null && !ch.groupId.equals(groupId)) {
                throw new UntrustedServerException("channel " + ch.id + " changed its group id");
              }
              ch.groupId = groupId;
              ch.kind = json.getString("kind");
              readMeta(ch, json.getJsonObject("meta"));
              return json;
            });
  }

  /** Opens the record's sealed meta if this device holds the key of the epoch it was sealed in. */
  void readMeta(ChannelState ch, JsonObject meta) {
    if (meta == null || ch.log == null) {
      return;
    }
    Optional<byte[]> key = ch.log.metaKey(meta.getLong("epoch", -1L));
    if (key.isEmpty()) {
      return;
    }
    try {
      ch.meta =
          Optional.of(
              ChannelMeta.decrypt(key.get(), LiaisonClient.unb64(meta.getString("ciphertext"))));
    } catch (IllegalArgumentException e) {
      LOG.warn("channel {}: meta does not decrypt", ch.id);
    }
  }

  /**
   * After a membership change, the name again under the new epoch: joiners read it, leavers not.
   */
  Future<Void> writeMeta(ChannelState ch) {
    if (ch.meta.isEmpty() || !ch.active()) {
      return done();
    }
    ChannelSession session = ch.log.session();
    return client
        .putMeta(ch.id, session.epoch(), ch.meta.get().encrypt(ChannelMeta.key(session)))
        .<Void>mapEmpty()
        .recover(e -> ctx.warned(ch, "meta", e));
  }

  private ChannelGroupId groupIdOf(JsonObject json) {
    String id = json.getString("id");
    ChannelGroupId groupId;
    try {
      groupId = ChannelGroupId.decode(LiaisonClient.unb64(json.getString("groupId")));
    } catch (DecodeException | IllegalArgumentException e) {
      throw new UntrustedServerException("channel " + id + " has no Liaison group id");
    }
    if (!groupId.channelIdHex().equals(id)) {
      throw new UntrustedServerException("channel " + id + " has the group id of another channel");
    }
    ChannelPolicy stated = PolicyJson.fromJson(json.getJsonObject("policy"));
    if (!stated.equals(groupId.policy())) {
      throw new UntrustedServerException(
          "channel "
              + id
              + ": the server states "
              + stated.describe()
              + ", the group id says "
              + groupId.policy().describe());
    }
    return groupId;
  }

  private ChannelInfo info(JsonObject json) {
    ChannelGroupId groupId = groupIdOf(json);
    ChannelState ch = ctx.existing(groupId.channelIdHex());
    if (ch != null) {
      readMeta(ch, json.getJsonObject("meta"));
    }
    List<MemberRef> members = LogEntry.memberRefs(json.getJsonArray("members"));
    List<String> owners = new ArrayList<>();
    json.getJsonArray("owners", new JsonArray()).forEach(o -> owners.add(String.valueOf(o)));
    return new ChannelInfo(
        groupId.channelIdHex(),
        json.getString("kind"),
        groupId.policy(),
        json.getLong("epoch", 0L),
        owners,
        members,
        ch == null ? Optional.empty() : ch.meta,
        json.getLong("firstSeq", 1L),
        ch != null && ch.active());
  }
}

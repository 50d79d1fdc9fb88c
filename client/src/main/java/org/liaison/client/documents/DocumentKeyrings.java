package org.liaison.client.documents;

import io.vertx.core.Future;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.liaison.client.LiaisonClient;
import org.liaison.client.LiaisonException;
import org.liaison.crypto.documents.DocumentKeyring;
import org.liaison.crypto.documents.DocumentKeys;
import org.liaison.crypto.mls.ChannelSession;

/**
 * The channel keyrings on the server (docs/documents.md, "Who can read what"): read for the
 * session's epoch, written by the committer after its commits, and written by whoever needs a
 * missing one and holds the generations. Each keyring is sealed under its epoch's MLS exporter, so
 * only that epoch's members read it; the server's first-write-wins decides races.
 */
final class DocumentKeyrings {
  private static final int WAITS = 20;
  private static final long WAIT_MILLIS = 250;
  private final LiaisonClient client;
  private final DocumentKeyStore store;

  DocumentKeyrings(LiaisonClient client, DocumentKeyStore store) {
    this.client = client;
    this.store = store;
  }

  /**
   * The generations readable in the session's epoch: the stored keyring merged with what this
   * device holds. A missing keyring is written when this device holds generations (with a new one:
   * a rotation too many costs nothing), or when the channel has no documents yet (its first
   * generation). Otherwise nobody here can produce it: refused with {@code keyring-unavailable}.
   */
  Future<DocumentKeyring> current(String channelId, ChannelSession session) {
    long epoch = session.epoch();
    byte[] key = DocumentKeys.keyringKey(session);
    return read(channelId, epoch, key)
        .recover(
            e -> {
              if (!LiaisonException.hasCode(e, "keyring-not-found")) {
                return Future.failedFuture(e);
              }
              DocumentKeyring known = store.keyring(channelId);
              Future<Boolean> mayStart =
                  known.generations().isEmpty()
                      ? client.documents(channelId).map(list -> list.isEmpty())
                      : Future.succeededFuture(true);
              return mayStart.compose(
                  may ->
                      may
                          ? write(channelId, epoch, key, withGeneration(known, epoch))
                          : awaitWritten(channelId, epoch, key, WAITS));
            });
  }

  /**
   * After this device's commit from {@code before} to {@code after}: the keyring of the new epoch,
   * with a new generation when the commit removed a leaf (removed members cannot derive the new
   * epoch's exporter, so they read nothing written under it). Nothing when this device holds no
   * generations of the channel and cannot read the previous epoch's keyring.
   */
  Future<Void> afterCommit(String channelId, ChannelSession before, ChannelSession after) {
    return read(channelId, before.epoch(), DocumentKeys.keyringKey(before))
        .<DocumentKeyring>recover(e -> Future.succeededFuture(store.keyring(channelId)))
        .compose(
            known -> {
              if (known.generations().isEmpty()) {
                return Future.<Void>succeededFuture();
              }
              DocumentKeyring next =
                  removedALeaf(before, after) ? withGeneration(known, after.epoch()) : known;
              return write(channelId, after.epoch(), DocumentKeys.keyringKey(after), next)
                  .mapEmpty();
            });
  }

  /**
   * Waits a little for a member who holds the generations to write the keyring (live members do
   * when they see the commit that made this epoch, e.g. this device's own rejoin).
   */
  private Future<DocumentKeyring> awaitWritten(
      String channelId, long epoch, byte[] key, int attempts) {
    if (attempts == 0) {
      return Future.failedFuture(
          new DocumentException(
              "keyring-unavailable",
              "the document keys of epoch "
                  + epoch
                  + " are not stored, and this device holds none: a member who has the"
                  + " channel's documents (e.g. in the browser) must be online"));
    }
    io.vertx.core.Promise<Void> later = io.vertx.core.Promise.promise();
    client.vertx().setTimer(WAIT_MILLIS, t -> later.complete());
    return later
        .future()
        .compose(v -> read(channelId, epoch, key))
        .recover(
            e ->
                LiaisonException.hasCode(e, "keyring-not-found")
                    ? awaitWritten(channelId, epoch, key, attempts - 1)
                    : Future.failedFuture(e));
  }

  private Future<DocumentKeyring> read(String channelId, long epoch, byte[] key) {
    return client
        .documentKeyring(channelId, epoch)
        .map(
            json ->
                store.remember(
                    channelId,
                    DocumentKeyring.open(
                        key, channelId, epoch, LiaisonClient.unb64(json.getString("ciphertext")))));
  }

  /** Writes; if another member was first, theirs is the keyring of the epoch. */
  private Future<DocumentKeyring> write(
      String channelId, long epoch, byte[] key, DocumentKeyring keyring) {
    return client
        .putDocumentKeyring(channelId, epoch, keyring.seal(key, channelId, epoch))
        .map(ok -> store.remember(channelId, keyring))
        .recover(
            e ->
                LiaisonException.hasCode(e, "keyring-exists")
                    ? read(channelId, epoch, key)
                    : Future.failedFuture(e));
  }

  private static DocumentKeyring withGeneration(DocumentKeyring known, long epoch) {
    return known.newest().map(g -> g.g() >= epoch).orElse(false)
        ? known
        : known.withNewGeneration(epoch);
  }

  /** A leaf of {@code before} (device and key) that {@code after} no longer has. */
  static boolean removedALeaf(ChannelSession before, ChannelSession after) {
    Set<String> remaining = leaves(after).keySet();
    return !remaining.containsAll(leaves(before).keySet());
  }

  private static Map<String, String> leaves(ChannelSession session) {
    return session.members().stream()
        .collect(
            Collectors.toMap(
                m -> m.deviceId() + ":" + LiaisonClient.b64(m.signatureKey()),
                m -> m.userId(),
                (a, b) -> a));
  }
}

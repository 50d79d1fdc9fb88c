package org.liaison.client.channels;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.liaison.client.channels.ChannelEvent.MemberRef;
import org.liaison.crypto.mls.ChannelSession;
import org.liaison.crypto.mls.ChannelSession.Member;
import org.liaison.crypto.mls.MlsException;

/**
 * One device's progress through one channel's log: the MLS session and the last processed seq.
 * Entries are applied strictly in seq order ({@link #apply}); there is no I/O here, so the rules
 * are testable with real sessions and hand-made entries.
 *
 * <ul>
 *   <li>a message from another device is decrypted, and delivered only if the MLS-verified sender
 *       is the device the server named;
 *   <li>this device's own messages are skipped (MLS cannot open one's own; the sender knows them);
 *   <li>a commit from another device is verified and applied ({@code handleCommit}, which checks
 *       every new member against the channel's trust);
 *   <li>this device's own commit is not processed but adopted: the session prepared with it ({@link
 *       #commitAccepted}) takes over when the log reaches its seq, so entries before it are still
 *       read with the epoch they were sent in;
 *   <li>a commit that removes this device ends the channel for it;
 *   <li>when the trust refuses more than it did (a revocation list that grew), the members are
 *       checked again ({@link #reverify}) and a refused one stops the channel as a commit would.
 * </ul>
 */
final class ChannelLog {
  enum State {
    /** Following the log. */
    ACTIVE,
    /** Removed from the channel by the commit at {@link #processedSeq()}. */
    REMOVED,
    /** Stopped: a commit brought in a member the channel's trust refuses. */
    REFUSED,
    /** The session cannot follow the log any more (e.g. a commit it cannot process): resync. */
    LOST
  }

  /** What applying one entry produced: a message to deliver and/or an event to report. */
  record Outcome(Optional<ChannelMessage> message, Optional<ChannelEvent> event) {
    static final Outcome NONE = new Outcome(Optional.empty(), Optional.empty());

    static Outcome of(ChannelMessage message) {
      return new Outcome(Optional.of(message), Optional.empty());
    }

    static Outcome of(ChannelEvent event) {
      return new Outcome(Optional.empty(), Optional.of(event));
    }
  }

  private static final int META_KEYS_KEPT = 32;

  private final String channelId;
  private final String selfDeviceId;
  private ChannelSession session;
  private long processedSeq;
  private State state = State.ACTIVE;
  private String lostBecause = "";
  private long pendingSeq = -1;
  private ChannelSession pendingNext;
  private final Map<Long, byte[]> metaKeys =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
          return size() > META_KEYS_KEPT;
        }
      };

  /** A log at {@code processedSeq}: everything up to it is behind this session. */
  ChannelLog(String channelId, ChannelSession session, long processedSeq) {
    this.channelId = channelId;
    this.selfDeviceId = session.self().deviceId();
    this.processedSeq = processedSeq;
    adopt(session);
  }

  String channelId() {
    return channelId;
  }

  State state() {
    return state;
  }

  String lostBecause() {
    return lostBecause;
  }

  long processedSeq() {
    return processedSeq;
  }

  /** The session (null once removed). */
  ChannelSession session() {
    return session;
  }

  /** The meta key of an epoch this device was in, if it still has it. */
  Optional<byte[]> metaKey(long epoch) {
    return Optional.ofNullable(metaKeys.get(epoch));
  }

  /**
   * The server accepted this device's commit as entry {@code seq}; {@code next} takes over when the
   * log gets there (at once if the log is already just before it).
   */
  void commitAccepted(long seq, ChannelSession next) {
    if (seq <= processedSeq) {
      throw new IllegalStateException("commit accepted at " + seq + " behind " + processedSeq);
    }
    pendingSeq = seq;
    pendingNext = next;
  }

  /** Whether this device's accepted commit is still ahead in the log. */
  boolean commitPending() {
    return pendingNext != null;
  }

  /**
   * Moves past entries this device cannot read (expired ones) without applying them. Only sound
   * when the next entry is still in the session's epoch; the caller checks with {@link
   * #canReadFrom}.
   */
  void skipTo(long seq) {
    if (seq > processedSeq) {
      processedSeq = seq;
    }
  }

  /**
   * Whether {@code entry} is in the epoch this session holds (so entries before it may be skipped).
   */
  boolean canReadFrom(LogEntry entry) {
    return state == State.ACTIVE && session != null && entry.epoch() == session.epoch();
  }

  /** Applies the next entry; entries at or before {@link #processedSeq()} are ignored. */
  Outcome apply(LogEntry entry) {
    if (entry.seq() <= processedSeq) {
      return Outcome.NONE;
    }
    if (entry.seq() != processedSeq + 1) {
      throw new IllegalStateException(
          "entry " + entry.seq() + " out of order after " + processedSeq + " in " + channelId);
    }
    processedSeq = entry.seq();
    if (state != State.ACTIVE) {
      return Outcome.NONE;
    }
    return entry.kind() == LogEntry.Kind.COMMIT ? applyCommit(entry) : applyMessage(entry);
  }

  private Outcome applyCommit(LogEntry entry) {
    if (pendingNext != null && entry.seq() == pendingSeq) {
      if (!selfDeviceId.equals(entry.senderDeviceId())) {
        return lose("the log holds another device's commit where ours was accepted");
      }
      ChannelSession before = session;
      adopt(pendingNext);
      pendingNext = null;
      pendingSeq = -1;
      return Outcome.of(changed(entry, before, session));
    }
    if (entry.removes(selfDeviceId)) {
      // bcmls cannot process the commit that removes its own leaf; the log says it happened and
      // nothing of the channel will be readable from here on, whoever sent it.
      state = State.REMOVED;
      session = null;
      pendingNext = null;
      return Outcome.of(new ChannelEvent.Removed(channelId, entry.seq()));
    }
    if (selfDeviceId.equals(entry.senderDeviceId())) {
      return lose("a commit of this device that this session did not make");
    }
    ChannelSession before = session;
    try {
      adopt(session.handleCommit(entry.payload()));
    } catch (MlsException e) {
      if (e.reason() == MlsException.Reason.UNTRUSTED_MEMBER) {
        return refuse(entry.seq(), e);
      }
      return lose("commit " + entry.seq() + ": " + e.reason() + ": " + e.getMessage());
    }
    return Outcome.of(changed(entry, before, session));
  }

  /**
   * Checks the members of the current epoch again, for when the trust refuses more than it did (the
   * network's revocation list grew): a member it now refuses stops the channel as a commit that
   * brought one in would ({@link ChannelEvent.Refused} at the last processed seq).
   */
  Outcome reverify() {
    if (state != State.ACTIVE) {
      return Outcome.NONE;
    }
    try {
      session.verifyMembers();
    } catch (MlsException e) {
      if (e.reason() == MlsException.Reason.UNTRUSTED_MEMBER) {
        return refuse(processedSeq, e);
      }
      throw e;
    }
    return Outcome.NONE;
  }

  private Outcome refuse(long seq, MlsException untrusted) {
    state = State.REFUSED;
    session = null;
    pendingNext = null;
    return Outcome.of(new ChannelEvent.Refused(channelId, seq, untrusted.getMessage()));
  }

  private Outcome applyMessage(LogEntry entry) {
    if (selfDeviceId.equals(entry.senderDeviceId())) {
      return Outcome.NONE;
    }
    ChannelSession.Received received;
    try {
      received = session.unprotect(entry.payload());
    } catch (MlsException e) {
      return dropped(entry, e.reason().name().toLowerCase() + ": " + e.getMessage());
    }
    Member sender = received.sender();
    if (!sender.deviceId().equals(entry.senderDeviceId())
        || !sender.userId().equals(entry.senderUserId())) {
      return dropped(
          entry,
          "sender-mismatch: signed by "
              + sender.userId()
              + "/"
              + sender.deviceId()
              + ", the server named "
              + entry.senderUserId()
              + "/"
              + entry.senderDeviceId());
    }
    TextPayload payload;
    try {
      payload = TextPayload.decode(received.plaintext());
    } catch (IllegalArgumentException e) {
      return dropped(entry, "unreadable payload: " + e.getMessage());
    }
    if (!"text".equals(payload.type())) {
      return dropped(entry, "unsupported message type " + payload.type());
    }
    return Outcome.of(
        new ChannelMessage(
            channelId,
            entry.seq(),
            sender.userId(),
            sender.deviceId(),
            payload.body(),
            payload.sentAt()));
  }

  private Outcome dropped(LogEntry entry, String reason) {
    return Outcome.of(new ChannelEvent.Dropped(channelId, entry.seq(), reason));
  }

  private Outcome lose(String why) {
    state = State.LOST;
    lostBecause = why;
    pendingNext = null;
    return Outcome.NONE;
  }

  private void adopt(ChannelSession next) {
    session = next;
    metaKeys.put(next.epoch(), ChannelMeta.key(next));
  }

  /** Who came and went, as MLS says (leaves whose key changed count as both). */
  private ChannelEvent changed(LogEntry entry, ChannelSession before, ChannelSession after) {
    return new ChannelEvent.MembersChanged(
        channelId, entry.seq(), after.epoch(), diff(after, before), diff(before, after));
  }

  private static List<MemberRef> diff(ChannelSession from, ChannelSession without) {
    List<Member> others = without.members();
    return from.members().stream()
        .filter(
            m ->
                others.stream()
                    .noneMatch(
                        o ->
                            o.leaf() == m.leaf()
                                && Arrays.equals(o.signatureKey(), m.signatureKey())))
        .map(m -> new MemberRef(m.leaf(), m.userId(), m.deviceId()))
        .toList();
  }
}

package org.liaison.client.channels;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.liaison.crypto.mls.ChannelSession.Member;

/**
 * A removal the server says is due in a channel: all devices of a user ({@code deviceId} absent) or
 * one device, and why ({@code leave-requested}, {@code device-revoked}, {@code member-suspended},
 * {@code tier-lowered}). It comes live in a {@code channel-updated} frame and durably in the
 * channel record's {@code removalsDue}, so members who were offline carry it out too. Whoever hears
 * of it commits the removal, except for its own (MLS does not let a member commit its own removal;
 * another member will). Like the frames, it is the server's request: a hostile server could ask for
 * removals, as it can refuse to deliver anything. No I/O here.
 */
record DueRemoval(Optional<String> userId, Optional<String> deviceId, String reason) {
  /** The {@code channel-updated} reasons that announce a removal. */
  static final Set<String> ANNOUNCED =
      Set.of("leave-requested", "device-revoked", "member-suspended", "tier-lowered");

  DueRemoval {
    if (userId.isEmpty() && deviceId.isEmpty()) {
      throw new IllegalArgumentException("a removal names a user or a device");
    }
  }

  /** The record's {@code removalsDue}; none when absent, entries naming nobody skipped. */
  static List<DueRemoval> fromChannel(JsonObject channel) {
    List<DueRemoval> due = new ArrayList<>();
    Object listed = channel.getValue("removalsDue");
    if (!(listed instanceof JsonArray array)) {
      return due;
    }
    for (Object item : array) {
      if (item instanceof JsonObject entry) {
        of(entry, entry.getValue("reason") instanceof String r ? r : "").ifPresent(due::add);
      }
    }
    return List.copyOf(due);
  }

  /** The removal a {@code channel-updated} frame announces, if its reason is one. */
  static Optional<DueRemoval> fromFrame(JsonObject frame) {
    String reason = frame.getValue("reason") instanceof String r ? r : "";
    return ANNOUNCED.contains(reason) ? of(frame, reason) : Optional.empty();
  }

  private static Optional<DueRemoval> of(JsonObject json, String reason) {
    Optional<String> user = text(json, "userId");
    Optional<String> device = text(json, "deviceId");
    if (user.isEmpty() && device.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DueRemoval(user, device, reason));
  }

  private static Optional<String> text(JsonObject json, String field) {
    return json.getValue(field) instanceof String s && !s.isEmpty()
        ? Optional.of(s)
        : Optional.empty();
  }

  /**
   * Whether this device may carry it out: not when it names this device, nor all devices of this
   * device's user (as for a leave request: the others remove the leaver).
   */
  boolean mayBeMadeBy(String selfUserId, String selfDeviceId) {
    if (deviceId.isPresent()) {
      return !deviceId.get().equals(selfDeviceId);
    }
    return !userId.orElseThrow().equals(selfUserId);
  }

  /** Whether the member is one of the devices it names. */
  boolean names(Member member) {
    return userId.map(u -> u.equals(member.userId())).orElse(true)
        && deviceId.map(d -> d.equals(member.deviceId())).orElse(true);
  }

  /**
   * The members this device may remove for these removals: those any removal it may make names,
   * never this device itself.
   */
  static Predicate<Member> anyOf(List<DueRemoval> due, String selfUserId, String selfDeviceId) {
    List<DueRemoval> allowed =
        due.stream().filter(r -> r.mayBeMadeBy(selfUserId, selfDeviceId)).toList();
    return m -> !m.deviceId().equals(selfDeviceId) && allowed.stream().anyMatch(r -> r.names(m));
  }

  /** For logs: "tier-lowered of user-1", "device-revoked of device d-2". */
  static String describe(List<DueRemoval> due) {
    return String.join(
        ", ",
        due.stream()
            .map(
                r ->
                    r.reason()
                        + " of "
                        + r.deviceId().map(d -> "device " + d).orElse(r.userId().orElse("")))
            .toList());
  }
}

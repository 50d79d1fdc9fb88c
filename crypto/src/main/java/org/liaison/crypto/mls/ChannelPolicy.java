package org.liaison.crypto.mls;

import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.liaison.crypto.codec.CanonicalReader;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.codec.DecodeException;

/**
 * A channel's membership policy, fixed when the channel is created: the lowest tier a member must
 * be vetted at, the sectors members may come from (empty: every sector), how long the delivery
 * service keeps messages, and whether new members get the history. It travels inside the MLS group
 * id ({@link ChannelGroupId}), so every member can compare it with what the server claims.
 *
 * <pre>
 * struct {
 *   uint8  version = 1;
 *   uint8  min_tier;          // 0..3
 *   uint16 retention_days;    // 1..3650
 *   uint8  history_on_join;   // 0 or 1
 *   uint8  sector_count;      // 0..64
 *   opaque sector&lt;1..64&gt;[sector_count];  // [a-z-], strictly increasing
 * }
 * </pre>
 */
public record ChannelPolicy(
    int minTier, SortedSet<String> allowedSectors, int retentionDays, boolean historyOnJoin) {
  private static final int VERSION = 1;

  /** At most this many sectors (the count is one byte; no network has more). */
  public static final int MAX_SECTORS = 64;

  private static final int MAX_SECTOR_LENGTH = 64;
  private static final Pattern SECTOR = Pattern.compile("[a-z-]{1," + MAX_SECTOR_LENGTH + "}");

  public ChannelPolicy {
    if (minTier < 0 || minTier > 3) {
      throw new IllegalArgumentException("minTier must be 0..3");
    }
    if (retentionDays < 1 || retentionDays > 3650) {
      throw new IllegalArgumentException("retentionDays must be 1..3650");
    }
    if (allowedSectors == null) {
      throw new IllegalArgumentException("allowedSectors must not be null (empty: every sector)");
    }
    // A fresh natural-order set: a caller's SortedSet may carry its own comparator.
    TreeSet<String> sectors = new TreeSet<>();
    for (String sector : allowedSectors) {
      if (sector == null || !SECTOR.matcher(sector).matches()) {
        throw new IllegalArgumentException("a sector is 1..64 characters of [a-z-]: " + sector);
      }
      sectors.add(sector);
    }
    if (sectors.size() > MAX_SECTORS) {
      throw new IllegalArgumentException("at most " + MAX_SECTORS + " sectors");
    }
    allowedSectors = Collections.unmodifiableSortedSet(sectors);
  }

  /** Whether a member vetted at {@code tier} in {@code sector} may be in the channel. */
  public boolean admits(int tier, String sector) {
    return tier >= minTier && (allowedSectors.isEmpty() || allowedSectors.contains(sector));
  }

  public byte[] encode() {
    CanonicalWriter out =
        new CanonicalWriter()
            .u8(VERSION)
            .u8(minTier)
            .u16(retentionDays)
            .u8(historyOnJoin ? 1 : 0)
            .u8(allowedSectors.size());
    allowedSectors.forEach(out::text8);
    return out.toByteArray();
  }

  /** Decodes exactly one canonical encoding; anything else is a {@link DecodeException}. */
  public static ChannelPolicy decode(byte[] bytes) {
    if (bytes == null) {
      throw new DecodeException("no policy");
    }
    CanonicalReader in = new CanonicalReader(bytes);
    if (in.u8("policy version") != VERSION) {
      throw new DecodeException("unsupported policy version");
    }
    int minTier = in.u8("min tier");
    int retentionDays = in.u16("retention days");
    int history = in.u8("history on join");
    if (history > 1) {
      throw new DecodeException("history on join is not 0 or 1");
    }
    int count = in.u8("sector count");
    if (count > MAX_SECTORS) {
      throw new DecodeException("more than " + MAX_SECTORS + " sectors");
    }
    TreeSet<String> sectors = new TreeSet<>();
    String previous = null;
    for (int i = 0; i < count; i++) {
      String sector = in.text8("sector", MAX_SECTOR_LENGTH);
      if (previous != null && previous.compareTo(sector) >= 0) {
        throw new DecodeException("sectors not in strictly increasing order");
      }
      sectors.add(sector);
      previous = sector;
    }
    in.end();
    try {
      return new ChannelPolicy(minTier, sectors, retentionDays, history == 1);
    } catch (IllegalArgumentException e) {
      throw new DecodeException("invalid policy: " + e.getMessage());
    }
  }

  /** One line for the CLI and logs, e.g. "T2 · sectors: civil-society, youth-work · 90 days". */
  public String describe() {
    StringBuilder text = new StringBuilder("T").append(minTier).append(" · ");
    text.append(
        allowedSectors.isEmpty() ? "all sectors" : "sectors: " + String.join(", ", allowedSectors));
    text.append(" · ").append(retentionDays).append(retentionDays == 1 ? " day" : " days");
    if (historyOnJoin) {
      text.append(" · history on join");
    }
    return text.toString();
  }
}

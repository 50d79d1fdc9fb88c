package org.liaison.crypto.broadcasts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.Labels;
import org.liaison.crypto.codec.CanonicalReader;
import org.liaison.crypto.codec.CanonicalWriter;
import org.liaison.crypto.codec.DecodeException;
import org.liaison.crypto.mls.DeviceIdentity;

/**
 * What the author's device signs for one broadcast: who sent it, to which audience, when, and the
 * hash of the sealed content. The server and every recipient check the same bytes, so neither the
 * audience nor the text can be changed in transit. Layout in docs/broadcasts.md, "Exact encodings".
 */
public record BroadcastHeader(
    byte[] broadcastId,
    String authorUserId,
    String authorDeviceId,
    List<String> cities,
    List<String> sectors,
    int minTier,
    long createdAtMillis,
    byte[] contentHash,
    byte[] resendOf) {

  static final int VERSION = 1;
  private static final int MAX_ID = 64;
  private static final int MAX_LIST = 255;

  public BroadcastHeader {
    broadcastId = BroadcastIds.exactly(broadcastId, "broadcast id");
    if (resendOf.length != 0) {
      resendOf = BroadcastIds.exactly(resendOf, "resendOf");
    }
    if (contentHash.length != 32) {
      throw new BroadcastException(BroadcastException.Reason.MALFORMED, "content hash is SHA-256");
    }
    if (minTier < 0 || minTier > 3) {
      throw new BroadcastException(BroadcastException.Reason.MALFORMED, "tier must be 0..3");
    }
    cities = sortedDistinct(cities, "cities");
    sectors = sortedDistinct(sectors, "sectors");
    contentHash = contentHash.clone();
  }

  public String idHex() {
    return BroadcastIds.hex(broadcastId);
  }

  public Optional<String> resendOfHex() {
    return resendOf.length == 0 ? Optional.empty() : Optional.of(BroadcastIds.hex(resendOf));
  }

  public byte[] encode() {
    CanonicalWriter out =
        new CanonicalWriter()
            .u16(VERSION)
            .opaque8(broadcastId)
            .text8(authorUserId)
            .text8(authorDeviceId)
            .u8(cities.size());
    cities.forEach(out::text8);
    out.u8(sectors.size());
    sectors.forEach(out::text8);
    return out.u8(minTier)
        .u64(createdAtMillis)
        .opaque8(contentHash)
        .opaque8(resendOf)
        .toByteArray();
  }

  public static BroadcastHeader decode(byte[] bytes) {
    try {
      CanonicalReader in = new CanonicalReader(bytes);
      int version = in.u16("version");
      if (version != VERSION) {
        throw new DecodeException("unknown header version " + version);
      }
      byte[] id = in.opaque8("broadcast id", BroadcastIds.LENGTH);
      String user = in.text8("author user", MAX_ID);
      String device = in.text8("author device", MAX_ID);
      List<String> cities = texts(in, "city");
      List<String> sectors = texts(in, "sector");
      int minTier = in.u8("minimum tier");
      long createdAt = in.u64("created at");
      byte[] hash = in.opaque8("content hash", 32);
      byte[] resendOf = in.opaque8("resendOf", BroadcastIds.LENGTH);
      in.end();
      BroadcastHeader header =
          new BroadcastHeader(
              id, user, device, cities, sectors, minTier, createdAt, hash, resendOf);
      if (!Arrays.equals(header.encode(), bytes)) {
        throw new DecodeException("cities or sectors are not sorted and distinct");
      }
      return header;
    } catch (DecodeException | IllegalArgumentException e) {
      throw new BroadcastException(
          BroadcastException.Reason.MALFORMED, "malformed broadcast header: " + e.getMessage());
    }
  }

  public byte[] sign(Ed25519.KeyPair deviceKey) {
    return deviceKey.sign(Labels.BROADCAST, encode());
  }

  public byte[] sign(DeviceIdentity device) {
    return device.sign(Labels.BROADCAST, encode());
  }

  public static boolean verify(byte[] deviceSignatureKey, byte[] headerBytes, byte[] signature) {
    return Ed25519.verify(deviceSignatureKey, Labels.BROADCAST, headerBytes, signature);
  }

  /** Whether a member with this city, sector and tier lies inside the signed audience. */
  public boolean covers(String cityId, String sector, int tier) {
    return (cities.isEmpty() || cities.contains(cityId))
        && (sectors.isEmpty() || sectors.contains(sector))
        && tier >= minTier;
  }

  private static List<String> texts(CanonicalReader in, String what) {
    int count = in.u8(what + " count");
    List<String> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      values.add(in.text8(what, MAX_ID));
    }
    return values;
  }

  /**
   * One canonical order (by UTF-8 bytes, as the web client sorts) so one audience has one header.
   */
  private static List<String> sortedDistinct(List<String> values, String what) {
    if (values.size() > MAX_LIST) {
      throw new BroadcastException(BroadcastException.Reason.MALFORMED, "too many " + what);
    }
    return values.stream()
        .distinct()
        .sorted(
            (a, b) ->
                Arrays.compareUnsigned(
                    a.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    b.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .toList();
  }
}

package org.liaison.crypto;

/** Every domain-separation label in one place: each purpose its own, all under liaison/v1. */
public final class Labels {
  private Labels() {}

  public static final String TIER_ATTESTATION = "liaison/v1/tier-attestation";
  public static final String SAFETY_NUMBER = "liaison/v1/safety-number";
  public static final String BLOB = "liaison/v1/blob";
  public static final String KEY_BACKUP = "liaison/v1/key-backup";
  public static final String CHANNEL = "liaison/v1/channel";
  public static final String CHANNEL_META = "liaison/v1/channel-meta";
  public static final String DEVICE_SESSION = "liaison/v1/device-session";
}

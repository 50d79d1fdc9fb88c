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

  // Shared documents (docs/documents.md, "Encryption"): the MLS exporter label of the keyring,
  // one HKDF label (and AAD prefix) per kind of record, and the signature label.
  public static final String DOC_KEYRING = "liaison/v1/doc-keyring";
  public static final String DOC_HEADER = "liaison/v1/doc-header";
  public static final String DOC_UPDATE = "liaison/v1/doc-update";
  public static final String DOC_SNAPSHOT = "liaison/v1/doc-snapshot";
  public static final String DOC_VERSION = "liaison/v1/doc-version";
  public static final String DOC_PRESENCE = "liaison/v1/doc-presence";
  public static final String DOC_SIGNATURE = "liaison/v1/doc-signature";

  // Broadcasts (docs/broadcasts.md, "Exact encodings"): the author device's header signature, a
  // device's broadcast-key statement, acknowledgements, reminders, and the content and wrap labels.
  public static final String BROADCAST = "liaison/v1/broadcast";
  public static final String BROADCAST_KEY = "liaison/v1/broadcast-key";
  public static final String BROADCAST_ACK = "liaison/v1/broadcast-ack";
  public static final String BROADCAST_REMINDER = "liaison/v1/broadcast-reminder";
  public static final String BROADCAST_CONTENT = "liaison/v1/broadcast-content";
  public static final String BROADCAST_WRAP = "liaison/v1/broadcast-wrap";
}

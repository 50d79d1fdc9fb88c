package org.liaison.crypto.mls;

import org.liaison.crypto.codec.DecodeException;

/**
 * Walks the RFC 9420 wire structure of an untrusted MLSMessage and checks that every length fits
 * inside the bytes that enclose it, every variable-length prefix is minimal (RFC 9420, section
 * 2.1.2), every enumerated value is one this code knows, and nothing trails the message. Run before
 * bcmls parses anything: bcmls 1.84 allocates a vector's claimed length before checking the bytes
 * are there, so a few bytes claiming a 1 GiB field make it allocate 1 GiB (a later bc-java fixes
 * this; 1.84 is the newest release). The walk allocates nothing.
 */
final class MlsWire {
  static final int MLS10 = 1;
  static final int PUBLIC_MESSAGE = 1;
  static final int PRIVATE_MESSAGE = 2;
  static final int WELCOME = 3;
  static final int GROUP_INFO = 4;
  static final int KEY_PACKAGE = 5;

  private static final int APPLICATION = 1;
  private static final int PROPOSAL = 2;
  private static final int COMMIT = 3;
  private static final int SENDER_MEMBER = 1;
  private static final int SENDER_EXTERNAL = 2;
  private static final int SENDER_NEW_MEMBER_PROPOSAL = 3;
  private static final int SENDER_NEW_MEMBER_COMMIT = 4;

  private final byte[] in;
  private int position;
  private final int limit;

  private MlsWire(byte[] in, int position, int limit) {
    this.in = in;
    this.position = position;
    this.limit = limit;
  }

  /** Checks a whole MLSMessage and returns its wire format. */
  static int check(byte[] wire) {
    MlsWire in = new MlsWire(wire, 0, wire.length);
    if (in.u16() != MLS10) {
      throw new DecodeException("not MLS 1.0");
    }
    int wireFormat = in.u16();
    switch (wireFormat) {
      case PUBLIC_MESSAGE -> in.publicMessage();
      case PRIVATE_MESSAGE -> in.privateMessage();
      case WELCOME -> in.welcome();
      case GROUP_INFO -> in.groupInfo();
      case KEY_PACKAGE -> in.keyPackage();
      default -> throw new DecodeException("unknown wire format " + wireFormat);
    }
    in.end();
    return wireFormat;
  }

  // ---- messages ------------------------------------------------------------------------------

  private void publicMessage() {
    // FramedContent
    vector(); // group_id
    u64(); // epoch
    int senderType = u8();
    switch (senderType) {
      case SENDER_MEMBER, SENDER_EXTERNAL -> u32();
      case SENDER_NEW_MEMBER_PROPOSAL, SENDER_NEW_MEMBER_COMMIT -> {}
      default -> throw new DecodeException("unknown sender type " + senderType);
    }
    vector(); // authenticated_data
    int contentType = u8();
    switch (contentType) {
      case APPLICATION -> vector();
      case PROPOSAL -> proposal();
      case COMMIT -> commit();
      default -> throw new DecodeException("unknown content type " + contentType);
    }
    // FramedContentAuthData
    vector(); // signature
    if (contentType == COMMIT) {
      vector(); // confirmation_tag
    }
    if (senderType == SENDER_MEMBER) {
      vector(); // membership_tag
    }
  }

  private void privateMessage() {
    vector(); // group_id
    u64(); // epoch
    int contentType = u8();
    if (contentType < APPLICATION || contentType > COMMIT) {
      throw new DecodeException("unknown content type " + contentType);
    }
    vector(); // authenticated_data
    vector(); // encrypted_sender_data
    vector(); // ciphertext
  }

  private void welcome() {
    u16(); // cipher_suite
    MlsWire secrets = vector();
    while (secrets.more()) {
      secrets.vector(); // new_member (KeyPackageRef)
      secrets.hpkeCiphertext();
    }
    vector(); // encrypted_group_info
  }

  private void groupInfo() {
    // GroupContext
    u16(); // version
    u16(); // cipher_suite
    vector(); // group_id
    u64(); // epoch
    vector(); // tree_hash
    vector(); // confirmed_transcript_hash
    extensions();
    // GroupInfo
    extensions();
    vector(); // confirmation_tag
    u32(); // signer
    vector(); // signature
  }

  // ---- handshake content ---------------------------------------------------------------------

  private void commit() {
    MlsWire proposals = vector();
    while (proposals.more()) {
      int type = proposals.u8();
      switch (type) {
        case 1 -> proposals.proposal();
        case 2 -> proposals.vector(); // ProposalRef
        default -> throw new DecodeException("unknown ProposalOrRef type " + type);
      }
    }
    if (optional()) {
      leafNode(); // UpdatePath.leaf_node
      MlsWire nodes = vector();
      while (nodes.more()) {
        nodes.vector(); // encryption_key
        MlsWire secrets = nodes.vector();
        while (secrets.more()) {
          secrets.hpkeCiphertext();
        }
      }
    }
  }

  private void proposal() {
    int type = u16();
    switch (type) {
      case 1 -> keyPackage(); // add
      case 2 -> leafNode(); // update
      case 3 -> u32(); // remove
      case 4 -> preSharedKeyId(); // psk
      case 5 -> { // reinit
        vector(); // group_id
        u16(); // version
        u16(); // cipher_suite
        extensions();
      }
      case 6 -> vector(); // external_init: kem_output
      case 7 -> extensions(); // group_context_extensions
      default -> throw new DecodeException("unknown proposal type " + type);
    }
  }

  private void preSharedKeyId() {
    int type = u8();
    switch (type) {
      case 1 -> vector(); // external: psk_id
      case 2 -> { // resumption
        u8(); // usage
        vector(); // psk_group_id
        u64(); // psk_epoch
      }
      default -> throw new DecodeException("unknown PSK type " + type);
    }
    vector(); // psk_nonce
  }

  private void keyPackage() {
    u16(); // version
    u16(); // cipher_suite
    vector(); // init_key
    leafNode();
    extensions();
    vector(); // signature
  }

  private void leafNode() {
    vector(); // encryption_key
    vector(); // signature_key
    int credentialType = u16();
    switch (credentialType) {
      case 1 -> vector(); // basic: identity
      case 2 -> { // x509: certificates
        MlsWire certificates = vector();
        while (certificates.more()) {
          certificates.vector();
        }
      }
      default -> throw new DecodeException("unknown credential type " + credentialType);
    }
    for (int i = 0; i < 5; i++) { // capabilities: versions, suites, extensions, proposals, creds
      MlsWire list = vector();
      if ((list.limit - list.position) % 2 != 0) {
        throw new DecodeException("odd-length capability list");
      }
    }
    int source = u8();
    switch (source) {
      case 1 -> { // key_package: lifetime
        u64();
        u64();
      }
      case 2 -> {} // update
      case 3 -> vector(); // commit: parent_hash
      default -> throw new DecodeException("unknown leaf node source " + source);
    }
    extensions();
    vector(); // signature
  }

  private void extensions() {
    MlsWire list = vector();
    while (list.more()) {
      list.u16(); // extension_type
      list.vector(); // extension_data
    }
  }

  private void hpkeCiphertext() {
    vector(); // kem_output
    vector(); // ciphertext
  }

  // ---- primitives ----------------------------------------------------------------------------

  private void need(long count) {
    if (limit - position < count) {
      throw new DecodeException("truncated MLS message");
    }
  }

  private int u8() {
    need(1);
    return in[position++] & 0xFF;
  }

  private int u16() {
    return (u8() << 8) | u8();
  }

  private long u32() {
    return ((long) u16() << 16) | u16();
  }

  private void u64() {
    need(8);
    position += 8;
  }

  private boolean optional() {
    int present = u8();
    if (present > 1) {
      throw new DecodeException("optional<> flag is " + present);
    }
    return present == 1;
  }

  /** A variable-length vector (RFC 9420, section 2.1.2): a reader over exactly its bytes. */
  private MlsWire vector() {
    int first = u8();
    long length;
    switch (first >>> 6) {
      case 0 -> length = first;
      case 1 -> {
        length = ((first & 0x3F) << 8) | u8();
        if (length < 64) {
          throw new DecodeException("non-minimal MLS length prefix");
        }
      }
      case 2 -> {
        length = ((long) (first & 0x3F) << 24) | ((long) u8() << 16) | (u8() << 8) | u8();
        if (length < 16384) {
          throw new DecodeException("non-minimal MLS length prefix");
        }
      }
      default -> throw new DecodeException("invalid MLS length prefix");
    }
    need(length);
    MlsWire inner = new MlsWire(in, position, position + (int) length);
    position += (int) length;
    return inner;
  }

  private boolean more() {
    return position < limit;
  }

  private void end() {
    if (position != limit) {
      throw new DecodeException("trailing bytes in MLS message");
    }
  }
}

package org.liaison.server.documents;

import io.vertx.core.json.JsonObject;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;

/**
 * The shape of what clients seal for documents (docs/documents.md, "Encryption"): AES-256-GCM as
 * {@code nonce[12] ‖ ciphertext ‖ tag[16]} over a plaintext padded to a multiple of 256 bytes, and
 * Ed25519 signatures. The server cannot open either; it refuses what cannot be one, so a client
 * that forgot the padding (and would leak exact sizes) hears it at once.
 */
final class Sealed {
  private static final int OVERHEAD = 12 + 16;
  private static final int PADDING = 256;
  static final int SIGNATURE_BYTES = 64;

  private Sealed() {}

  /** A sealed field at most {@code maxBytes}; {@code tooLarge} answers one over it. */
  static byte[] ciphertext(JsonObject body, String field, int maxBytes, ApiError tooLarge) {
    byte[] sealed = Base64Field.required(body, field, maxBytes, () -> tooLarge);
    if (sealed.length < OVERHEAD + PADDING || (sealed.length - OVERHEAD) % PADDING != 0) {
      throw ApiError.invalidField(
          field,
          field
              + " must be nonce[12] ‖ AES-GCM ciphertext of a plaintext padded to a multiple of 256"
              + " bytes ‖ tag[16]");
    }
    return sealed;
  }

  static byte[] signature(JsonObject body) {
    byte[] signature = Base64Field.required(body, "signature", 1024);
    if (signature.length != SIGNATURE_BYTES) {
      throw ApiError.invalidField("signature", "signature must be a 64-byte Ed25519 signature");
    }
    return signature;
  }

  /** 413 with its own code, naming the field and the limit. */
  static ApiError tooLarge(String code, String field, int maxBytes) {
    return new ApiError(
        413,
        code,
        field + " must be at most " + maxBytes + " bytes",
        new JsonObject().put("field", field).put("maxBytes", maxBytes));
  }
}

package org.liaison.server.devices;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.liaison.crypto.attestation.AttestationChain;
import org.liaison.crypto.attestation.AttestationException;
import org.liaison.crypto.codec.DecodeException;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;

/**
 * The server's own check of a device's tier attestation: the chain must verify from the network
 * root for this device's key and user, and state the user's current tier, sector and city. Clients
 * check the chain themselves; this refuses bad ones before anyone sees them.
 */
final class AttestationCheck {
  private AttestationCheck() {}

  static void verify(byte[] rootKey, byte[] chainBytes, Device device, User user, Instant now) {
    AttestationChain.Verified verified;
    try {
      verified =
          AttestationChain.decode(chainBytes)
              .verify(rootKey, device.signatureKey(), user.id(), now);
    } catch (DecodeException e) {
      throw invalid("MALFORMED", "The attestation does not decode: " + e.getMessage());
    } catch (AttestationException e) {
      throw invalid(e.reason().name(), "The attestation does not verify: " + e.getMessage());
    }
    if (verified.tier() != user.tier().ordinal()) {
      throw invalid(
          "TIER_MISMATCH",
          "The attestation says T" + verified.tier() + " but the member holds " + user.tier());
    }
    if (!verified.sector().equals(user.sector().wire())) {
      throw invalid("SECTOR_MISMATCH", "The attestation names another sector");
    }
    String city = user.cityId() == null ? "" : user.cityId();
    if (!verified.cityId().equals(city)) {
      throw invalid("CITY_MISMATCH", "The attestation names another city");
    }
  }

  private static ApiError invalid(String reason, String message) {
    return new ApiError(
        422, "attestation-invalid", message, new JsonObject().put("reason", reason));
  }
}

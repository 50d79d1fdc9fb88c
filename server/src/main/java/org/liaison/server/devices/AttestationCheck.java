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
public final class AttestationCheck {
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
    requireStatesHeld(verified.tier(), verified.sector(), verified.cityId(), user, city(user));
  }

  /** The city a device attestation of {@code user} must name: theirs, or none. */
  private static String city(User user) {
    return user.cityId() == null ? "" : user.cityId();
  }

  /**
   * An attestation (device or coordinator) must state what the person holds now: their tier, their
   * sector and {@code cityId} (a device's city; a coordinator's scope). 422 with the reason if not.
   */
  public static void requireStatesHeld(
      int tier, String sector, String cityId, User user, String expectedCityId) {
    if (tier != user.tier().ordinal()) {
      throw invalid(
          "TIER_MISMATCH",
          "The attestation says T" + tier + " but the person holds " + user.tier());
    }
    if (!sector.equals(user.sector().wire())) {
      throw invalid("SECTOR_MISMATCH", "The attestation names another sector");
    }
    if (!cityId.equals(expectedCityId)) {
      throw invalid("CITY_MISMATCH", "The attestation names another city");
    }
  }

  /** {@code 422 attestation-invalid} with a stable reason clients and tests read. */
  public static ApiError invalid(String reason, String message) {
    return new ApiError(
        422, "attestation-invalid", message, new JsonObject().put("reason", reason));
  }
}

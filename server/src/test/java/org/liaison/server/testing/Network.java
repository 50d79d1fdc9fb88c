package org.liaison.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;

/**
 * Builds a small network through the public API, as people would: the first admin from the
 * bootstrap invitation, then cities, organisations, and members from invitations.
 */
public final class Network {
  public static final String PASSWORD = "correct horse battery staple";

  private final Api api;

  public Network(Api api) {
    this.api = api;
  }

  public record Member(String id, String email, String accessToken, String refreshToken) {}

  /** Invites someone and registers them from that invitation, as the invitee would. */
  public Member join(
      Member inviter,
      String email,
      String name,
      String cityId,
      String orgId,
      String tier,
      String role) {
    return register(invite(inviter, email, cityId, orgId, tier, role), email, name);
  }

  public Member registerAdmin(String bootstrapCode, String email) {
    return register(bootstrapCode, email, "First Admin");
  }

  public Member register(String code, String email, String name) {
    Api.Response registered =
        api.post(
            "/api/v1/auth/register",
            null,
            new JsonObject()
                .put("inviteCode", code)
                .put("email", email)
                .put("displayName", name)
                .put("password", PASSWORD));
    assertEquals(201, registered.status(), registered.toString());
    return login(email, registered.json().getString("id"));
  }

  /**
   * Registers a device without an attestation for {@code member} (its session is then bound to it),
   * so the member can hold a realtime socket; returns the device id.
   */
  public String registerUnattestedDevice(Member member) {
    Api.Response device =
        api.post(
            "/api/v1/devices",
            member.accessToken(),
            new JsonObject()
                .put("name", "laptop")
                .put(
                    "signatureKey",
                    java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(
                            org.liaison.crypto.Ed25519.KeyPair.generate().publicKey())));
    assertEquals(201, device.status(), device.toString());
    return device.json().getString("id");
  }

  public Member login(String email, String id) {
    Api.Response login =
        api.post(
            "/api/v1/auth/login",
            null,
            new JsonObject().put("email", email).put("password", PASSWORD));
    assertEquals(200, login.status(), login.toString());
    return new Member(
        id, email, login.json().getString("accessToken"), login.json().getString("refreshToken"));
  }

  public String createCity(Member actor, String name, String country) {
    Api.Response city =
        api.post(
            "/api/v1/cities",
            actor.accessToken(),
            new JsonObject().put("name", name).put("country", country));
    assertEquals(201, city.status(), city.toString());
    return city.json().getString("id");
  }

  public String createOrganisation(Member actor, String cityId, String name, String sector) {
    Api.Response org =
        api.post(
            "/api/v1/organisations",
            actor.accessToken(),
            new JsonObject().put("cityId", cityId).put("name", name).put("sector", sector));
    assertEquals(201, org.status(), org.toString());
    return org.json().getString("id");
  }

  public Api.Response tryInvite(
      Member actor, String email, String cityId, String orgId, String tier, String role) {
    return api.post(
        "/api/v1/invitations",
        actor.accessToken(),
        new JsonObject()
            .put("email", email)
            .put("cityId", cityId)
            .put("organisationId", orgId)
            .put("tier", tier)
            .put("role", role));
  }

  public String invite(
      Member actor, String email, String cityId, String orgId, String tier, String role) {
    Api.Response invitation = tryInvite(actor, email, cityId, orgId, tier, role);
    assertEquals(201, invitation.status(), invitation.toString());
    return invitation.json().getString("code");
  }
}

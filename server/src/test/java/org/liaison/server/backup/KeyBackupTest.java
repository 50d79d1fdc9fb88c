package org.liaison.server.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.unb64;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Argon2id;
import org.liaison.crypto.Ed25519;
import org.liaison.crypto.backup.RecoveryKey;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** The encrypted key backup through the real API and store. */
class KeyBackupTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Argon2id.Cost CHEAP = new Argon2id.Cost(64, 1, 1);

  @TempDir Path dataDir;
  TestServer server;
  Api api;
  Network network;
  Network.Member admin;
  String cityId;
  String orgId;

  @BeforeEach
  void start() {
    server = TestServer.start(dataDir);
    api = server.api();
    network = new Network(api);
    admin = network.registerAdmin(server.bootstrapCode(), "admin@network.example");
    cityId = network.createCity(admin, "Mostar", "BA");
    orgId = network.createOrganisation(admin, cityId, "Mostar youth", "youth-work");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A member whose session is bound to a freshly registered (unattested) device. */
  private Network.Member memberWithDevice(String email) {
    Network.Member member =
        network.join(admin, email, "Youth Worker", cityId, orgId, "T1", "member");
    expect(
        201,
        api.post(
            "/api/v1/devices",
            member.accessToken(),
            new JsonObject()
                .put("name", "Browser")
                .put("signatureKey", b64(Ed25519.KeyPair.generate().publicKey()))));
    return member;
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static JsonObject body(byte[] salt, byte[] ciphertext) {
    return new JsonObject()
        .put("version", 1)
        .put("salt", b64(salt))
        .put("kdf", new JsonObject().put("memoryKiB", 64).put("iterations", 1))
        .put("ciphertext", b64(ciphertext));
  }

  /** Seals {@code plaintext} as a client would: AES-256-GCM under the recovery wrapping key. */
  private static byte[] seal(String code, byte[] salt, byte[] plaintext) throws Exception {
    byte[] key = RecoveryKey.wrappingKey(code, salt, CHEAP);
    byte[] nonce = random(12);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    byte[] sealed = cipher.doFinal(plaintext);
    byte[] out = new byte[12 + sealed.length];
    System.arraycopy(nonce, 0, out, 0, 12);
    System.arraycopy(sealed, 0, out, 12, sealed.length);
    return out;
  }

  @Test
  void storesReplacesAndReturnsOnlyTheCallersOwnBackup() {
    Network.Member member = memberWithDevice("youth@mostar.example");
    String token = member.accessToken();
    Api.Response none = api.get("/api/v1/key-backup", token);
    assertEquals(404, none.status(), none.toString());
    assertEquals("key-backup-not-found", none.errorCode());

    byte[] salt = random(16);
    byte[] first = random(200);
    JsonObject stored = expect(200, api.put("/api/v1/key-backup", token, body(salt, first))).json();
    assertEquals(1, stored.getInteger("version"));
    JsonObject fetched = expect(200, api.get("/api/v1/key-backup", token)).json();
    assertEquals(1, fetched.getInteger("version"));
    assertArrayEquals(salt, unb64(fetched.getString("salt")));
    assertArrayEquals(first, unb64(fetched.getString("ciphertext")));
    assertEquals(64, fetched.getJsonObject("kdf").getInteger("memoryKiB"));
    assertEquals(1, fetched.getJsonObject("kdf").getInteger("iterations"));

    byte[] second = random(300);
    expect(200, api.put("/api/v1/key-backup", token, body(random(16), second)));
    fetched = expect(200, api.get("/api/v1/key-backup", token)).json();
    assertArrayEquals(second, unb64(fetched.getString("ciphertext")));
    assertEquals(1, server.dump("key_backups").split("ciphertext").length - 1, "one per user");

    // Another member (even an admin) sees only their own: none.
    Network.Member other = memberWithDevice("other@mostar.example");
    assertEquals(404, api.get("/api/v1/key-backup", other.accessToken()).status());
    assertEquals(404, api.get("/api/v1/key-backup", admin.accessToken()).status());

    // A new session without a device (a new browser about to restore) may read it.
    Network.Member again = network.login(member.email(), member.id());
    fetched = expect(200, api.get("/api/v1/key-backup", again.accessToken())).json();
    assertArrayEquals(second, unb64(fetched.getString("ciphertext")));
  }

  @Test
  void storingNeedsASessionBoundToADevice() {
    Network.Member member =
        network.join(admin, "nodevice@mostar.example", "No Device", cityId, orgId, "T1", "member");
    Api.Response refused =
        api.put("/api/v1/key-backup", member.accessToken(), body(random(16), random(100)));
    assertEquals(403, refused.status(), refused.toString());
    assertEquals("device-required", refused.errorCode());
    assertEquals(401, api.get("/api/v1/key-backup", null).status());
  }

  @Test
  void malformedBackupsAreRefusedWithTheFieldNamed() {
    String token = memberWithDevice("youth@mostar.example").accessToken();
    byte[] salt = random(16);
    byte[] ciphertext = random(100);
    assertInvalid(token, body(salt, ciphertext).put("version", 2), "version");
    assertInvalid(token, body(salt, ciphertext).put("version", "1"), "version");
    assertInvalid(token, body(salt, ciphertext).putNull("version"), "version");
    assertInvalid(token, body(random(15), ciphertext), "salt");
    assertInvalid(token, body(random(17), ciphertext), "salt");
    assertInvalid(token, body(salt, ciphertext).put("salt", "not base64!"), "salt");
    assertInvalid(token, body(salt, ciphertext).put("kdf", 3), "kdf");
    assertInvalid(
        token,
        body(salt, ciphertext)
            .put("kdf", new JsonObject().put("memoryKiB", 4).put("iterations", 1)),
        "kdf.memoryKiB");
    assertInvalid(
        token,
        body(salt, ciphertext)
            .put("kdf", new JsonObject().put("memoryKiB", 1 << 30).put("iterations", 1)),
        "kdf.memoryKiB");
    assertInvalid(
        token,
        body(salt, ciphertext).put("kdf", new JsonObject().put("memoryKiB", 64)),
        "kdf.iterations");
    assertInvalid(
        token,
        body(salt, ciphertext)
            .put("kdf", new JsonObject().put("memoryKiB", 64).put("iterations", 11)),
        "kdf.iterations");
    assertInvalid(token, body(salt, random(27)), "ciphertext");
  }

  private void assertInvalid(String token, JsonObject body, String field) {
    Api.Response refused = api.put("/api/v1/key-backup", token, body);
    assertEquals(400, refused.status(), refused.toString());
    assertEquals("validation-failed", refused.errorCode());
    assertEquals(
        field, refused.json().getJsonObject("error").getJsonObject("details").getString("field"));
    assertEquals(404, api.get("/api/v1/key-backup", token).status(), "nothing stored");
  }

  @Test
  void aMissingCiphertextOrAnOversizedOneIsRefused() {
    String token = memberWithDevice("youth@mostar.example").accessToken();
    JsonObject missing = body(random(16), random(100));
    missing.remove("ciphertext");
    assertInvalid(token, missing, "ciphertext");

    Api.Response tooLarge =
        api.put("/api/v1/key-backup", token, body(random(16), random(64 * 1024 + 1)));
    assertEquals(413, tooLarge.status(), tooLarge.toString());
    assertEquals("payload-too-large", tooLarge.errorCode());
    // Exactly the limit is fine.
    expect(200, api.put("/api/v1/key-backup", token, body(random(16), random(64 * 1024))));
  }

  @Test
  void theStoreAndTheAuditLogHoldNoPlaintextNorTheCiphertext() throws Exception {
    String token = memberWithDevice("youth@mostar.example").accessToken();
    String marker = "PLAINTEXT-MARKER-identity-key-" + b64(random(12));
    String code = RecoveryKey.newCode();
    byte[] salt = Argon2id.newSalt();
    byte[] plaintext = ("{\"v\":1,\"secret\":\"" + marker + "\"}").getBytes(StandardCharsets.UTF_8);
    byte[] ciphertext = seal(code, salt, plaintext);
    expect(200, api.put("/api/v1/key-backup", token, body(salt, ciphertext)));

    String stored = server.dump("key_backups");
    String audit = server.dump("audit");
    for (String dump : new String[] {stored, audit}) {
      assertFalse(dump.contains(marker), "plaintext marker stored");
      assertFalse(dump.contains(b64(marker.getBytes(StandardCharsets.UTF_8))), "marker, base64");
      assertFalse(dump.contains(code), "recovery code stored");
      assertFalse(dump.contains(RecoveryKey.normalise(code)), "recovery code stored");
    }
    assertTrue(audit.contains("key-backup.stored"), audit);
    assertFalse(audit.contains(b64(ciphertext)), "ciphertext copied into the audit log");
    assertFalse(audit.contains(b64(salt)), "salt copied into the audit log");
    assertNotEquals(-1, stored.indexOf("storedBy"));
  }
}

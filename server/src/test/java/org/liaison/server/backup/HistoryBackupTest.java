package org.liaison.server.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.liaison.server.testing.ChannelFixture.b64;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.unb64;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/** The encrypted history backup through the real API and store, with small limits. */
class HistoryBackupTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CHANNEL = "0123456789abcdef0123456789abcdef";
  private static final int MAX_CHUNK = 4 * 1024 + 28;
  private static final int MAX_PER_USER = 3 * (2 * 1024 + 28);

  @TempDir Path dataDir;
  TestServer server;
  Api api;
  Network network;
  Network.Member admin;
  String cityId;
  String orgId;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            dataDir,
            Map.of(
                "LIAISON_HISTORY_MAX_CHUNK_BYTES", String.valueOf(MAX_CHUNK),
                "LIAISON_HISTORY_MAX_BYTES_PER_USER", String.valueOf(MAX_PER_USER)));
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

  /** As a browser seals a chunk: a padded plaintext under AES-256-GCM, nonce in front. */
  private static byte[] seal(String text, int paddedLength) throws Exception {
    byte[] plain = new byte[paddedLength];
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    plain[0] = (byte) (utf8.length >>> 24);
    plain[1] = (byte) (utf8.length >>> 16);
    plain[2] = (byte) (utf8.length >>> 8);
    plain[3] = (byte) utf8.length;
    System.arraycopy(utf8, 0, plain, 4, utf8.length);
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    byte[] sealed = cipher.doFinal(plain);
    byte[] out = new byte[12 + sealed.length];
    System.arraycopy(nonce, 0, out, 0, 12);
    System.arraycopy(sealed, 0, out, 12, sealed.length);
    return out;
  }

  private static byte[] randomChunk(int paddedLength) {
    byte[] bytes = new byte[28 + paddedLength];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static JsonObject body(byte[] ciphertext) {
    return new JsonObject().put("ciphertext", b64(ciphertext));
  }

  private static String path(String channel, String chunk) {
    return "/api/v1/history/" + channel + "/" + chunk;
  }

  @Test
  void storesListsAndReturnsOnlyTheCallersOwnChunksAndNeverPlaintext() throws Exception {
    Network.Member member = memberWithDevice("youth@mostar.example");
    String token = member.accessToken();
    JsonObject empty = expect(200, api.get("/api/v1/history", token)).json();
    assertEquals(0, empty.getJsonArray("items").size());
    assertEquals(MAX_PER_USER, empty.getLong("maxBytes"));

    String secret = "meet at the youth centre at five; the boy's name is Adnan";
    byte[] sealed = seal(secret, 1024);
    JsonObject stored = expect(200, api.put(path(CHANNEL, "0"), token, body(sealed))).json();
    assertEquals(sealed.length, stored.getInteger("size"));
    expect(200, api.put(path(CHANNEL, "1"), token, body(randomChunk(1024))));

    JsonObject list = expect(200, api.get("/api/v1/history", token)).json();
    JsonArray items = list.getJsonArray("items");
    assertEquals(2, items.size());
    assertEquals(2L * sealed.length, list.getLong("usedBytes"));
    assertFalse(items.encode().contains("ciphertext"), "a listing carries no bytes");

    JsonObject fetched = expect(200, api.get(path(CHANNEL, "0"), token)).json();
    assertArrayEquals(sealed, unb64(fetched.getString("ciphertext")));
    assertEquals(CHANNEL, fetched.getString("channelId"));

    // The store holds the sealed bytes only.
    String dump = server.dump("history_chunks");
    assertFalse(dump.contains("Adnan"), "no plaintext in the store");
    assertFalse(dump.contains("youth centre"), "no plaintext in the store");

    // Another member sees none of it, not even by name; nor does an admin.
    Network.Member other = memberWithDevice("other@mostar.example");
    Api.Response foreign = api.get(path(CHANNEL, "0"), other.accessToken());
    assertEquals(404, foreign.status(), foreign.toString());
    assertEquals("history-chunk-not-found", foreign.errorCode());
    assertEquals(404, api.get(path(CHANNEL, "0"), admin.accessToken()).status());
    assertEquals(
        0,
        expect(200, api.get("/api/v1/history", other.accessToken()))
            .json()
            .getJsonArray("items")
            .size());
    // Writing the same name stores the other member's own chunk, leaving the first untouched.
    expect(200, api.put(path(CHANNEL, "0"), other.accessToken(), body(randomChunk(1024))));
    assertArrayEquals(
        sealed,
        unb64(expect(200, api.get(path(CHANNEL, "0"), token)).json().getString("ciphertext")));

    // A new session without a device (a browser about to restore) may read them.
    Network.Member again = network.login(member.email(), member.id());
    assertEquals(
        2,
        expect(200, api.get("/api/v1/history", again.accessToken()))
            .json()
            .getJsonArray("items")
            .size());
    // But not write them.
    Api.Response refused = api.put(path(CHANNEL, "2"), again.accessToken(), body(sealed));
    assertEquals(403, refused.status(), refused.toString());
    assertEquals("device-required", refused.errorCode());
    assertEquals(401, api.get("/api/v1/history", null).status());
  }

  @Test
  void sizeLimitsAnswer413() {
    String token = memberWithDevice("youth@mostar.example").accessToken();
    Api.Response big = api.put(path(CHANNEL, "0"), token, body(randomChunk(5 * 1024)));
    assertEquals(413, big.status(), big.toString());
    assertEquals("history-chunk-too-large", big.errorCode());
    expect(200, api.put(path(CHANNEL, "0"), token, body(randomChunk(4 * 1024))));

    // 4 KiB + 2 KiB fits in 3 × 2 KiB + 84 bytes; another 2 KiB does not.
    expect(200, api.put(path(CHANNEL, "1"), token, body(randomChunk(1024))));
    Api.Response over = api.put(path(CHANNEL, "2"), token, body(randomChunk(2 * 1024)));
    assertEquals(413, over.status(), over.toString());
    assertEquals("history-quota-exceeded", over.errorCode());
    // Replacing a chunk counts its new size instead of its old one.
    expect(200, api.put(path(CHANNEL, "0"), token, body(randomChunk(2 * 1024))));
    expect(200, api.put(path(CHANNEL, "2"), token, body(randomChunk(2 * 1024))));
  }

  @Test
  void malformedIdsAndBodiesAnswer400() {
    String token = memberWithDevice("youth@mostar.example").accessToken();
    byte[] ok = randomChunk(1024);
    for (String badChannel : new String[] {"not-a-channel", "0123456789ABCDEF0123456789ABCDEF"}) {
      Api.Response r = api.put(path(badChannel, "0"), token, body(ok));
      assertEquals(400, r.status(), r.toString());
      assertEquals("validation-failed", r.errorCode());
      assertEquals(400, api.get(path(badChannel, "0"), token).status());
    }
    for (String badChunk : new String[] {"x", "-1", "1234567890", "1.5"}) {
      Api.Response r = api.put(path(CHANNEL, badChunk), token, body(ok));
      assertEquals(400, r.status(), r.toString());
      assertEquals(400, api.get(path(CHANNEL, badChunk), token).status());
    }
    JsonObject[] badBodies = {
      new JsonObject(),
      new JsonObject().put("ciphertext", 42),
      new JsonObject().put("ciphertext", "not base64!"),
      body(new byte[27]),
      body(new byte[28 + 1000]), // not padded to 1024
      body(new byte[28]), // nothing inside
    };
    for (JsonObject bad : badBodies) {
      Api.Response r = api.put(path(CHANNEL, "0"), token, bad);
      assertEquals(400, r.status(), bad + " " + r);
      assertEquals("validation-failed", r.errorCode());
    }
    assertEquals(
        0,
        expect(200, api.get("/api/v1/history", token)).json().getJsonArray("items").size(),
        "nothing malformed was stored");
  }
}

package org.liaison.server.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.crypto.Ed25519;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.RealtimeClient;
import org.liaison.server.testing.TestServer;

/**
 * People who registered before the network root existed learn at once that it was published, on the
 * sockets they already hold, so their clients pin it and verify their channels.
 */
class RootKeyAnnouncementTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @TempDir Path dataDir;

  @Test
  void settingTheRootKeyTellsEveryOpenSocket() throws Exception {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String city = network.createCity(admin, "Sarajevo", "BA");
      String org = network.createOrganisation(admin, city, "Sarajevo Youth", "youth-work");
      Network.Member member =
          network.join(admin, "emina@sarajevo.example", "Emina", city, org, "T1", "member");
      // Devices without attestations: there is no root yet to chain them to.
      network.registerUnattestedDevice(admin);
      network.registerUnattestedDevice(member);
      assertFalse(api.get("/api/v1/network", member.accessToken()).json().containsKey("rootKey"));

      try (RealtimeClient adminSocket =
              RealtimeClient.connect(test.server().port(), admin.accessToken());
          RealtimeClient memberSocket =
              RealtimeClient.connect(test.server().port(), member.accessToken())) {
        adminSocket.next("ready");
        memberSocket.next("ready");

        byte[] rootKey = Ed25519.KeyPair.generate().publicKey();
        Api.Response set =
            api.put(
                "/api/v1/network/root-key",
                admin.accessToken(),
                new JsonObject().put("rootKey", B64.encodeToString(rootKey)));
        assertEquals(200, set.status(), set.toString());

        JsonObject expected =
            new JsonObject().put("type", "network-updated").put("reason", "root-key");
        assertEquals(expected, memberSocket.next("network-updated"));
        assertEquals(expected, adminSocket.next("network-updated"));
        // What the client then reads: the root it pins.
        assertEquals(
            B64.encodeToString(rootKey),
            api.get("/api/v1/network", member.accessToken()).json().getString("rootKey"));

        // Set once: a second attempt changes nothing and announces nothing.
        Api.Response again =
            api.put(
                "/api/v1/network/root-key",
                admin.accessToken(),
                new JsonObject()
                    .put("rootKey", B64.encodeToString(Ed25519.KeyPair.generate().publicKey())));
        assertEquals(409, again.status(), again.toString());
        assertNull(memberSocket.frames.poll(500, TimeUnit.MILLISECONDS));
      }
    }
  }
}

package org.liaison.server.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.RealtimeClient;
import org.liaison.server.testing.TestServer;

/**
 * A coordinator who is online sees a new member's device waiting the moment it registers: the
 * coordinators of that city and the network admins hear {@code confirmations-needed}, nobody else.
 */
class NewDeviceNoticeTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @TempDir Path dataDir;

  @Test
  void aNewDeviceIsAnnouncedToItsCitysCoordinatorsAndTheAdmins() throws Exception {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      Network network = new Network(api);
      Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
      String mostar = network.createCity(admin, "Mostar", "BA");
      String mostarOrg =
          network.createOrganisation(admin, mostar, "Mostar City Hall", "municipality");
      String tuzla = network.createCity(admin, "Tuzla", "BA");
      String tuzlaOrg = network.createOrganisation(admin, tuzla, "Tuzla Youth", "youth-work");
      Network.Member lejla =
          network.join(
              admin, "lejla@mostar.example", "Lejla", mostar, mostarOrg, "T2", "city-coordinator");
      Network.Member other =
          network.join(
              admin, "amir@tuzla.example", "Amir", tuzla, tuzlaOrg, "T2", "city-coordinator");
      Network.Member edin =
          network.join(admin, "edin@mostar.example", "Edin", mostar, mostarOrg, "T1", "member");
      for (Network.Member m : new Network.Member[] {admin, lejla, other}) {
        network.registerUnattestedDevice(m);
      }
      int port = test.server().port();
      try (RealtimeClient lejlaSocket = RealtimeClient.connect(port, lejla.accessToken());
          RealtimeClient otherSocket = RealtimeClient.connect(port, other.accessToken());
          RealtimeClient adminSocket = RealtimeClient.connect(port, admin.accessToken())) {
        lejlaSocket.next("ready");
        otherSocket.next("ready");
        adminSocket.next("ready");

        network.registerUnattestedDevice(edin);

        JsonObject expected =
            new JsonObject()
                .put("type", "confirmations-needed")
                .put("userId", edin.id())
                .put("cityId", mostar)
                .put("reason", "new-device");
        assertEquals(expected, lejlaSocket.next("confirmations-needed"));
        assertEquals(expected, adminSocket.next("confirmations-needed"));
        assertNull(
            otherSocket.frames.poll(500, TimeUnit.MILLISECONDS), "another city's coordinator");
      }
    }
  }
}

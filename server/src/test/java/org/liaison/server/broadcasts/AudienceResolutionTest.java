package org.liaison.server.broadcasts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.broadcasts.BroadcastWorld.Person;
import org.liaison.server.testing.Api;

/**
 * Who an audience is, through the real routes: three cities × three sectors × tiers, a suspended
 * user, a device awaiting confirmation and a user with no broadcast key. The audience count and the
 * recipients listing equal the expected set, and a send with one wrap too many is refused.
 */
class AudienceResolutionTest {
  @TempDir Path dataDir;
  private BroadcastWorld world;

  @AfterEach
  void stop() {
    world.close();
  }

  @Test
  void theAudienceIsExactlyItsCitiesSectorsAndTiers() {
    world = new BroadcastWorld(dataDir);
    List<Person> everyone = new ArrayList<>();
    for (String city : world.cities) {
      for (String sector : BroadcastWorld.SECTORS) {
        for (int tier = 0; tier <= 3; tier += 3) {
          everyone.add(world.person(city, sector, tier, true));
        }
      }
    }
    String skopje = world.cities.get(0);
    String sarajevo = world.cities.get(1);
    Person suspended = world.person(skopje, "youth-work", 2, true);
    Person noKey = world.person(sarajevo, "youth-work", 2, false);
    Person pending = world.person(skopje, "youth-work", 2, true);
    world
        .network()
        .registerUnattestedDevice(world.network().login(pending.member.email(), pending.id()));
    BroadcastWorld.expect(
        200,
        world
            .api()
            .post(
                "/api/v1/users/" + suspended.id() + "/suspend",
                world.adminMember.accessToken(),
                new JsonObject().put("reason", "Left the organisation")));

    // Youth work in Skopje and Sarajevo, T1 and above.
    JsonObject audience =
        BroadcastWorld.audience(List.of(skopje, sarajevo), List.of("youth-work"), "T1");
    Set<String> expectedUsers =
        everyone.stream()
            .filter(p -> p.cityId.equals(skopje) || p.cityId.equals(sarajevo))
            .filter(p -> !p.member.email().isEmpty())
            .filter(p -> p.chain.device().sector().equals("youth-work"))
            .filter(p -> p.chain.device().tier() >= 1)
            .map(Person::id)
            .collect(Collectors.toSet());
    Set<String> expectedDevices =
        everyone.stream()
            .filter(p -> expectedUsers.contains(p.id()))
            .map(p -> p.deviceId)
            .collect(Collectors.toCollection(HashSet::new));
    expectedUsers.add(noKey.id());
    expectedUsers.add(pending.id());
    expectedDevices.add(pending.deviceId); // its attested device; the unattested one is left out

    JsonObject counted =
        BroadcastWorld.expect(
                200,
                world
                    .api()
                    .post(
                        "/api/v1/broadcasts/audience",
                        world.admin.token,
                        new JsonObject().put("audience", audience)))
            .json();
    assertEquals(expectedUsers.size(), counted.getInteger("users"), counted.encode());
    assertEquals(expectedDevices.size(), counted.getInteger("devices"), counted.encode());
    assertEquals(1, counted.getInteger("withoutKey"), "the user who published no key");
    int perCitySum =
        counted.getJsonArray("perCity").stream()
            .mapToInt(c -> ((JsonObject) c).getInteger("users"))
            .sum();
    assertEquals(expectedUsers.size(), perCitySum);

    List<JsonObject> listed =
        world.recipients(world.admin, new JsonObject().put("audience", audience));
    assertEquals(
        expectedDevices,
        listed.stream().map(d -> d.getString("deviceId")).collect(Collectors.toSet()));
    JsonObject one = listed.get(0);
    for (String field :
        List.of("userId", "cityId", "sector", "tier", "signatureKey", "attestation")) {
      assertTrue(one.containsKey(field), field + " in " + one.encode());
    }
    assertTrue(one.getJsonObject("broadcastKey").containsKey("signature"));

    // The whole network: everyone active with a key, the admin and coordinators included.
    JsonObject network =
        world
            .api()
            .post(
                "/api/v1/broadcasts/audience",
                world.admin.token,
                new JsonObject()
                    .put("audience", BroadcastWorld.audience(List.of(), List.of(), "T0")))
            .json();
    assertEquals(
        everyone.size() + 3 /* noKey, pending, admin */ + 3 /* coordinators */,
        network.getInteger("users"),
        network.encode());

    // One wrap too many: a device of someone outside the audience.
    BroadcastWorld.Draft draft =
        world.draft(world.admin, List.of(skopje, sarajevo), List.of("youth-work"), 1);
    Person outsider =
        everyone.stream()
            .filter(p -> p.cityId.equals(world.cities.get(2)))
            .findFirst()
            .orElseThrow();
    JsonObject outsiderDevice =
        new JsonObject()
            .put("deviceId", outsider.deviceId)
            .put(
                "broadcastKey",
                new JsonObject()
                    .put("publicKey", BroadcastWorld.b64(outsider.broadcastKey.publicKey())));
    JsonArray wraps = draft.body.getJsonArray("wraps").copy();
    wraps.add(BroadcastWorld.wrap(draft.id, outsiderDevice, draft.contentKey));
    Api.Response refused =
        world
            .api()
            .post("/api/v1/broadcasts", world.admin.token, draft.body.copy().put("wraps", wraps));
    assertEquals(422, refused.status(), refused.toString());
    assertEquals("recipient-outside-audience", refused.errorCode());
    assertEquals(
        outsider.deviceId,
        refused.json().getJsonObject("error").getJsonObject("details").getString("deviceId"));
    assertEquals("[]", world.server.dump("broadcasts"), "nothing is stored for a refused send");

    Api.Response sent = world.send(world.admin, draft);
    assertEquals(201, sent.status(), sent.toString());
    assertEquals(expectedUsers.size() - 1, sent.json().getInteger("recipients"));
    assertEquals(expectedDevices.size(), sent.json().getInteger("devices"));
    assertEquals(0, sent.json().getInteger("missing"));
  }
}

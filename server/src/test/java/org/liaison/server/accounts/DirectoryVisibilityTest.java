package org.liaison.server.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.liaison.server.testing.ChannelFixture.expect;
import static org.liaison.server.testing.ChannelFixture.policy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.ChannelFixture;
import org.liaison.server.testing.ChannelFixture.Person;

/**
 * Who the member directory ({@code GET /api/v1/users}) shows: one's own tier and below, the
 * coordinators and admins, and everyone one shares a channel with; a higher tier stays hidden.
 */
class DirectoryVisibilityTest {
  @TempDir Path dataDir;
  ChannelFixture net;
  Person officer;
  Person caseWorker;
  Person volunteer;

  @BeforeEach
  void network() {
    net = new ChannelFixture(dataDir);
    officer = net.person("Officer Three", "law-enforcement", 3, 2);
    caseWorker = net.person("Case Two", "civil-society", 2, 2);
    volunteer = net.person("Volunteer One", "youth-work", 1, 2);
  }

  @AfterEach
  void close() {
    net.close();
  }

  private Set<String> seenBy(String token) {
    Set<String> names = new TreeSet<>();
    for (Object item :
        expect(200, net.api().get("/api/v1/users?limit=1000", token))
            .json()
            .getJsonArray("items")) {
      names.add(((JsonObject) item).getString("displayName"));
    }
    return names;
  }

  @Test
  void membersSeeTheirTierAndBelowPlusCoordinatorsAdminsAndTheirChannelPeers() {
    // Admin and coordinator: whom to ask, always listed; nobody of a higher tier.
    assertEquals(Set.of("First Admin", "Coordinator", "Volunteer One"), seenBy(volunteer.token()));
    assertEquals(
        Set.of("First Admin", "Coordinator", "Case Two", "Volunteer One"),
        seenBy(caseWorker.token()));
    Set<String> everyone =
        Set.of("First Admin", "Coordinator", "Officer Three", "Case Two", "Volunteer One");
    assertEquals(everyone, seenBy(officer.token()));
    assertEquals(everyone, seenBy(net.admin.accessToken()));
    assertEquals(everyone, seenBy(net.coordinator.accessToken()));

    // Sharing a channel makes the other member visible (not "Unknown member"), and only them.
    String channel = officer.createChannel(policy(0, 30), "exchange");
    officer.add(channel, volunteer);
    assertEquals(
        Set.of("First Admin", "Coordinator", "Officer Three", "Volunteer One"),
        seenBy(volunteer.token()));
    assertEquals(
        Set.of("First Admin", "Coordinator", "Case Two", "Volunteer One"),
        seenBy(caseWorker.token()));
  }
}

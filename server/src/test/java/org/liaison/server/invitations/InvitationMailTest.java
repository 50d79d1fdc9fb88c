package org.liaison.server.invitations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.SmtpRelay;
import org.liaison.server.testing.TestServer;
import org.slf4j.LoggerFactory;

/** Invitations e-mailed through an SMTP relay (a tiny one on 127.0.0.1), and sent again. */
class InvitationMailTest {
  private static final String SMTP_PASSWORD = "relay-secret-4711";

  @TempDir Path dataDir;

  private static Map<String, String> mail(int port) {
    Map<String, String> env = new HashMap<>();
    env.put("LIAISON_MAIL_ENABLED", "true");
    env.put("LIAISON_MAIL_HOST", "127.0.0.1");
    env.put("LIAISON_MAIL_PORT", Integer.toString(port));
    env.put("LIAISON_MAIL_SECURITY", "none");
    env.put("LIAISON_MAIL_USERNAME", "liaison");
    env.put("LIAISON_MAIL_PASSWORD", SMTP_PASSWORD);
    env.put("LIAISON_MAIL_FROM", "liaison@network.example");
    env.put("LIAISON_MAIL_TIMEOUT_SECONDS", "10");
    return env;
  }

  private record World(Network.Member admin, String city, String org) {}

  private static World world(TestServer test) {
    Network network = new Network(test.api());
    Network.Member admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
    String city = network.createCity(admin, "Tirana", "AL");
    String org = network.createOrganisation(admin, city, "Tirana Police", "law-enforcement");
    return new World(admin, city, org);
  }

  private static Api.Response invite(Api api, World w, String email, JsonObject extra) {
    return api.post(
        "/api/v1/invitations",
        w.admin().accessToken(),
        new JsonObject()
            .put("email", email)
            .put("cityId", w.city())
            .put("organisationId", w.org())
            .put("tier", "T1")
            .put("role", "member")
            .mergeIn(extra));
  }

  /** The listed invitation once its delivery is no longer "sending". */
  private static JsonObject settled(Api api, World w, String id) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      Api.Response listed = api.get("/api/v1/invitations", w.admin().accessToken());
      JsonObject item =
          listed.json().getJsonArray("items").stream()
              .map(JsonObject.class::cast)
              .filter(x -> x.getString("id").equals(id))
              .findFirst()
              .orElseThrow();
      JsonObject delivery = item.getJsonObject("delivery");
      if (delivery != null && !delivery.getString("status").equals("sending")) {
        return item;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the delivery never settled");
  }

  private static int preview(Api api, String code) {
    return api.post("/api/v1/invitations/preview", null, new JsonObject().put("code", code))
        .status();
  }

  @Test
  void anInvitationIsEmailedInItsLanguageWithTheLinkAndNoOtherSecret() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try (SmtpRelay relay = SmtpRelay.start();
        TestServer test = TestServer.start(dataDir, mail(relay.port()))) {
      Api api = test.api();
      World w = world(test);
      assertTrue(
          api.get("/api/v1/invitations", w.admin().accessToken())
              .json()
              .getBoolean("mailConfigured"));

      Api.Response created =
          invite(api, w, "besa@tirana.example", new JsonObject().put("language", "fr"));
      assertEquals(201, created.status(), created.toString());
      assertEquals("sending", created.json().getJsonObject("delivery").getString("status"));
      String code = created.json().getString("code");
      String url = created.json().getString("url");
      JsonObject item = settled(api, w, created.json().getString("id"));
      assertEquals("sent", item.getJsonObject("delivery").getString("status"));
      assertEquals("fr", item.getString("language"));

      assertEquals(1, relay.received.size());
      SmtpRelay.Received mail = relay.received.get(0);
      assertEquals(List.of("<besa@tirana.example>"), mail.to());
      assertEquals("<liaison@network.example>", mail.from());
      assertTrue(relay.logins.stream().anyMatch(l -> l.contains(SMTP_PASSWORD)), "logged in");
      String text = mail.decoded();
      assertTrue(text.contains(url), text);
      assertTrue(text.contains("First Admin"), "who invites");
      assertTrue(text.contains("Tirana Police"), "the organisation");
      assertTrue(text.contains("Ouvrez ce lien"), "in the invitation's language");
      assertTrue(text.contains("(UTC)"), "the expiry");
      assertFalse(text.contains(Invitations.hash(code)), "not the code's hash");
      assertFalse(text.contains(SMTP_PASSWORD), "not the relay's password");
      assertFalse(text.contains(w.admin().accessToken()), "not the inviter's token");
      assertFalse(text.contains("admin@network.example"), "not the inviter's address");

      // No language: English.
      Api.Response english = invite(api, w, "goce@tirana.example", new JsonObject());
      settled(api, w, english.json().getString("id"));
      assertTrue(relay.received.get(1).decoded().contains("Open this link to create your account"));
      // Asked not to: nothing sent, no delivery status.
      Api.Response quiet =
          invite(api, w, "arta@tirana.example", new JsonObject().put("sendEmail", false));
      assertEquals(201, quiet.status(), quiet.toString());
      assertNull(quiet.json().getValue("delivery"));
    } finally {
      root.detachAppender(logged);
    }
    String log =
        logged.list.stream()
            .map(e -> e.getFormattedMessage() + " " + e.getThrowableProxy())
            .reduce("", String::concat);
    assertFalse(log.contains(SMTP_PASSWORD), "the relay password is never logged");
    assertFalse(log.contains("besa@tirana.example"), "addresses are masked in the log");
    assertTrue(log.contains("e-mailed to b***@tirana.example"), log);
    assertFalse(log.contains("/invite/"), "no invitation link in the log");
  }

  @Test
  void aRefusedDeliveryKeepsTheInvitationAndSendingAgainGivesANewLink() throws Exception {
    try (SmtpRelay relay = SmtpRelay.start();
        TestServer test = TestServer.start(dataDir, mail(relay.port()))) {
      Api api = test.api();
      World w = world(test);
      relay.refuse(true);
      Api.Response created = invite(api, w, "besa@tirana.example", new JsonObject());
      assertEquals(201, created.status(), created.toString());
      String id = created.json().getString("id");
      String code = created.json().getString("code");
      JsonObject failed = settled(api, w, id);
      assertEquals("failed", failed.getJsonObject("delivery").getString("status"));
      assertEquals("refused", failed.getJsonObject("delivery").getString("reason"));
      assertEquals(200, preview(api, code), "the invitation itself is not lost");

      relay.refuse(false);
      Api.Response again =
          api.post("/api/v1/invitations/" + id + "/send", w.admin().accessToken(), null);
      assertEquals(200, again.status(), again.toString());
      String newCode = again.json().getString("code");
      assertNotEquals(code, newCode);
      assertEquals(id, again.json().getString("id"));
      assertEquals("sent", settled(api, w, id).getJsonObject("delivery").getString("status"));
      assertTrue(relay.received.get(0).decoded().contains(again.json().getString("url")));
      assertEquals(404, preview(api, code), "the old link stops working");
      assertEquals(200, preview(api, newCode));

      assertTrue(
          api.get("/api/v1/audit", w.admin().accessToken()).json().getJsonArray("items").stream()
              .map(JsonObject.class::cast)
              .anyMatch(
                  e ->
                      e.getString("action").equals("invitation.sent-again")
                          && e.getString("targetId").equals(id)));

      Api.Response unknown =
          api.post(
              "/api/v1/invitations/" + "0".repeat(32) + "/send", w.admin().accessToken(), null);
      assertEquals(404, unknown.status(), unknown.toString());
      new Network(api).register(newCode, "besa@tirana.example", "Besa");
      Api.Response used =
          api.post("/api/v1/invitations/" + id + "/send", w.admin().accessToken(), null);
      assertEquals(409, used.status(), used.toString());
      assertEquals("invitation-not-pending", used.errorCode());
    }
  }

  @Test
  void anUnreachableRelayMarksTheDeliveryFailed() throws Exception {
    int closedPort;
    try (SmtpRelay gone = SmtpRelay.start()) {
      closedPort = gone.port();
    }
    try (TestServer test = TestServer.start(dataDir, mail(closedPort))) {
      Api api = test.api();
      World w = world(test);
      Api.Response created = invite(api, w, "besa@tirana.example", new JsonObject());
      assertEquals(201, created.status(), created.toString());
      JsonObject failed = settled(api, w, created.json().getString("id"));
      assertEquals("unreachable", failed.getJsonObject("delivery").getString("reason"));
      assertEquals(200, preview(api, created.json().getString("code")));
    }
  }

  @Test
  void withoutMailNothingIsSentAndAskingToSendIsRefused() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api api = test.api();
      World w = world(test);
      assertFalse(
          api.get("/api/v1/invitations", w.admin().accessToken())
              .json()
              .getBoolean("mailConfigured"));
      Api.Response plain = invite(api, w, "besa@tirana.example", new JsonObject());
      assertEquals(201, plain.status(), plain.toString());
      assertNull(plain.json().getValue("delivery"));
      Api.Response asked =
          invite(api, w, "goce@tirana.example", new JsonObject().put("sendEmail", true));
      assertEquals(409, asked.status(), asked.toString());
      assertEquals("mail-not-configured", asked.errorCode());
      Api.Response again =
          api.post(
              "/api/v1/invitations/" + plain.json().getString("id") + "/send",
              w.admin().accessToken(),
              null);
      assertEquals(409, again.status(), again.toString());
      assertEquals("mail-not-configured", again.errorCode());
      Api.Response bad =
          invite(api, w, "arta@tirana.example", new JsonObject().put("sendEmail", "yes"));
      assertEquals(400, bad.status(), bad.toString());
      Api.Response language =
          invite(api, w, "arta@tirana.example", new JsonObject().put("language", "xx"));
      assertEquals(400, language.status(), language.toString());
    }
  }
}

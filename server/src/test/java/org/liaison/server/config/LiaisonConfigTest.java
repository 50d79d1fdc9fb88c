package org.liaison.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiaisonConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsMatchTheDocumentedOnes() {
    LiaisonConfig config = LiaisonConfig.withOverrides(Map.of());
    assertEquals(8080, config.httpPort());
    assertEquals("127.0.0.1", config.httpHost());
    assertEquals(Path.of("./data").toAbsolutePath().normalize(), config.dataDir());
    assertEquals(Optional.empty(), config.mongoUri());
    assertEquals(15, config.accessTokenMinutes());
    assertEquals(1 << 20, config.maxBodyBytes());
  }

  @Test
  void environmentOverridesTheFile() throws Exception {
    Path file = dir.resolve("liaison.yaml");
    Files.writeString(
        file, "http:\n  port: 9000\n  publicUrl: https://file.example\ndataDir: /srv/liaison\n");
    Vertx vertx = Vertx.vertx();
    try {
      LiaisonConfig config =
          LiaisonConfig.load(
                  vertx,
                  Map.of(
                      "LIAISON_CONFIG", file.toString(),
                      "LIAISON_HTTP_PORT", "9100",
                      "MONGODB_URI", "mongodb://db1,db2/?replicaSet=rs0"))
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertEquals(9100, config.httpPort());
      assertEquals(Optional.of("https://file.example"), config.publicUrl());
      assertEquals(Path.of("/srv/liaison"), config.dataDir());
      assertEquals(Optional.of("mongodb://db1,db2/?replicaSet=rs0"), config.mongoUri());
    } finally {
      vertx.close();
    }
  }

  @Test
  void aBadValueIsNamedInOneLine() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> LiaisonConfig.withOverrides(Map.of("LIAISON_HTTP_PORT", "eighty")));
    assertEquals(
        "Invalid setting http.port (LIAISON_HTTP_PORT): expected a whole number", e.getMessage());
    ConfigException range =
        assertThrows(
            ConfigException.class,
            () -> LiaisonConfig.withOverrides(Map.of("LIAISON_HTTP_PORT", "70000")));
    assertTrue(range.getMessage().contains("expected 0..65535"));
    assertThrows(
        ConfigException.class,
        () -> LiaisonConfig.withOverrides(Map.of("LIAISON_PUBLIC_URL", "ftp://x")));
  }

  @Test
  void aConnectionStringIsNeverEchoed() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> LiaisonConfig.withOverrides(Map.of("MONGODB_URI", "postgres://user:hunter2@db")));
    assertFalse(e.getMessage().contains("hunter2"));
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void anUnknownKeyInTheFileIsRefused() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                LiaisonConfig.from(
                    new JsonObject().put("http", new JsonObject().put("prot", 1)), Map.of()));
    assertEquals("Unknown setting 'http.prot' in the settings file", e.getMessage());
  }

  @Test
  void aMistypedEnvironmentVariableIsRefused() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> LiaisonConfig.withOverrides(Map.of("LIAISON_HTTP_PROT", "9000")));
    assertEquals("Unknown setting LIAISON_HTTP_PROT in the environment", e.getMessage());
    LiaisonConfig.withOverrides(Map.of("LIAISON_LOG_FORMAT", "JSON", "PATH", "/usr/bin"));
  }

  @Test
  void trustedProxiesAreIpAddresses() {
    assertEquals(
        java.util.List.of("10.0.0.5", "::1"),
        LiaisonConfig.withOverrides(Map.of("LIAISON_TRUSTED_PROXIES", "10.0.0.5, ::1"))
            .trustedProxies());
    assertThrows(
        ConfigException.class,
        () -> LiaisonConfig.withOverrides(Map.of("LIAISON_TRUSTED_PROXIES", "proxy.example")));
  }

  @Test
  void mailIsOffByDefaultAndNeedsARelayAndASenderWhenOn() throws Exception {
    assertEquals(Optional.empty(), LiaisonConfig.withOverrides(Map.of()).mail());
    ConfigException noHost =
        assertThrows(
            ConfigException.class,
            () -> LiaisonConfig.withOverrides(Map.of("LIAISON_MAIL_ENABLED", "true")));
    assertTrue(noHost.getMessage().contains("mail.host"), noHost.getMessage());
    assertThrows(
        ConfigException.class,
        () -> LiaisonConfig.withOverrides(Map.of("LIAISON_MAIL_ENABLED", "yes")));
    assertThrows(
        ConfigException.class,
        () -> LiaisonConfig.withOverrides(Map.of("LIAISON_MAIL_SECURITY", "ssl")));
    Path secret = dir.resolve("smtp-password");
    Files.writeString(secret, "s3cret-from-file\n");
    MailSettings mail =
        LiaisonConfig.withOverrides(
                Map.of(
                    "LIAISON_MAIL_ENABLED", "true",
                    "LIAISON_MAIL_HOST", "smtp.city.example",
                    "LIAISON_MAIL_FROM", "liaison@city.example",
                    "LIAISON_MAIL_USERNAME", "liaison",
                    "LIAISON_MAIL_PASSWORD_FILE", secret.toString()))
            .mail()
            .orElseThrow();
    assertEquals("s3cret-from-file", mail.password().orElseThrow().value());
    assertEquals(587, mail.port());
    assertEquals(MailSettings.Security.STARTTLS, mail.security());
    assertFalse(mail.toString().contains("s3cret"), "the password is hidden when printed");
    ConfigException missingFile =
        assertThrows(
            ConfigException.class,
            () ->
                LiaisonConfig.withOverrides(
                    Map.of(
                        "LIAISON_MAIL_ENABLED", "true",
                        "LIAISON_MAIL_HOST", "smtp.city.example",
                        "LIAISON_MAIL_FROM", "liaison@city.example",
                        "LIAISON_MAIL_USERNAME", "liaison",
                        "LIAISON_MAIL_PASSWORD_FILE", "/nonexistent/pw")));
    assertTrue(missingFile.getMessage().contains("mail.passwordFile"), missingFile.getMessage());
  }

  @Test
  void theShippedFileDocumentsEverySettingWithItsDefault() throws Exception {
    Path shipped = Path.of("../config/liaison.yaml");
    Vertx vertx = Vertx.vertx();
    try {
      LiaisonConfig fromFile =
          LiaisonConfig.load(vertx, Map.of("LIAISON_CONFIG", shipped.toString()))
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertEquals(LiaisonConfig.withOverrides(Map.of()), fromFile);
      String text = Files.readString(shipped);
      String reference = Files.readString(Path.of("../docs/configuration.md"));
      for (Setting<?> setting : LiaisonConfig.SETTINGS) {
        assertTrue(text.contains(setting.env()), "config/liaison.yaml documents " + setting.env());
        assertTrue(
            reference.contains("`" + setting.key() + "` | `" + setting.env() + "`"),
            "docs/configuration.md documents " + setting.key());
      }
    } finally {
      vertx.close();
    }
  }
}

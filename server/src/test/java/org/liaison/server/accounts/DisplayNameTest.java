package org.liaison.server.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.Network;
import org.liaison.server.testing.TestServer;

/**
 * Display names are shown to everyone in the network, beside messages: they must not reorder the
 * text around them, hide characters, or pass for someone else's name; and every script people in
 * the network write their names in must pass unchanged. Each case registers from a real invitation,
 * so a name that is not refused would make an account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisplayNameTest {
  @TempDir static Path dataDir;
  TestServer test;
  Api api;
  Network network;
  Network.Member admin;
  String city;
  String org;
  final AtomicInteger people = new AtomicInteger();

  @BeforeAll
  void start() {
    test = TestServer.start(dataDir);
    api = test.api();
    network = new Network(api);
    admin = network.registerAdmin(test.bootstrapCode(), "admin@network.example");
    city = network.createCity(admin, "Skopje", "MK");
    org = network.createOrganisation(admin, city, "City of Skopje", "municipality");
  }

  @AfterAll
  void stop() {
    test.close();
  }

  private Api.Response registerAs(String displayName) {
    String email = "person" + people.incrementAndGet() + "@skopje.example";
    String code = network.invite(admin, email, city, org, "T1", "member");
    return api.post(
        "/api/v1/auth/register",
        null,
        new JsonObject()
            .put("inviteCode", code)
            .put("email", email)
            .put("displayName", displayName)
            .put("password", Network.PASSWORD));
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("right-to-left override", "Ana\u202Eavoksrtep"),
        Arguments.of("left-to-right embedding", "\u202AAna"),
        Arguments.of("right-to-left embedding", "Ana\u202B"),
        Arguments.of("pop directional formatting", "Ana\u202C Petrovska"),
        Arguments.of("left-to-right override", "\u202DAna"),
        Arguments.of("left-to-right isolate", "\u2066Ana\u2069"),
        Arguments.of("right-to-left isolate", "\u2067Ana"),
        Arguments.of("first strong isolate", "Ana\u2068"),
        Arguments.of("pop directional isolate", "Ana\u2069"),
        Arguments.of("Arabic letter mark", "\u061Cمحمد"),
        Arguments.of("null", "Ana\u0000"),
        Arguments.of("newline", "Ana\nAdmin"),
        Arguments.of("tab", "Ana\tPetrovska"),
        Arguments.of("escape", "Ana\u001B[31m"),
        Arguments.of("C1 control", "Ana\u009B"),
        Arguments.of("zero-width space", "Ana\u200BPetrovska"),
        Arguments.of("byte order mark", "\uFEFFAna"),
        Arguments.of("soft hyphen", "Ana\u00ADPetrovska"),
        Arguments.of("word joiner", "Ana\u2060"),
        Arguments.of("line separator", "Ana\u2028Admin"),
        Arguments.of("private use", "\uE000Ana"),
        Arguments.of("zero-width joiner in a Latin name", "Ana\u200DPetrovska"),
        Arguments.of("zero-width non-joiner at the start", "\u200Cمحمد"),
        Arguments.of("Cyrillic letter inside a Latin word", "\u0410na Petrovska"),
        Arguments.of("Latin letter inside a Cyrillic word", "Марија Стojановска"),
        Arguments.of("stacked combining marks", "Ana" + "\u0301".repeat(6)),
        Arguments.of("blank", " \u00A0 "),
        Arguments.of("too long", "A".repeat(101)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusesNamesThatHideOrReorderText(String why, String name) {
    Api.Response answer = registerAs(name);
    assertEquals(400, answer.status(), answer.toString());
    assertEquals("validation-failed", answer.errorCode());
    assertEquals(
        "displayName",
        answer.json().getJsonObject("error").getJsonObject("details").getString("field"));
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        Arguments.of("Latin", "Ana Petrovska", "Ana Petrovska"),
        Arguments.of("Latin with diacritics", "Zoë Müller-Lüdenscheidt", "Zoë Müller-Lüdenscheidt"),
        Arguments.of("apostrophe", "Siobhán O'Connor", "Siobhán O'Connor"),
        Arguments.of("Macedonian Cyrillic", "Марија Стојановска", "Марија Стојановска"),
        Arguments.of("Macedonian Ѓ and Ќ", "Ѓорѓи Ќосевски", "Ѓорѓи Ќосевски"),
        Arguments.of("Serbian Cyrillic", "Ђорђе Јовановић", "Ђорђе Јовановић"),
        Arguments.of("Serbian Љ and Њ", "Љубица Његош", "Љубица Његош"),
        Arguments.of("Albanian", "Arbër Çela", "Arbër Çela"),
        Arguments.of("Arabic", "محمد الأحمد", "محمد الأحمد"),
        Arguments.of("Arabic with vowel marks", "مُحَمَّد", "مُحَمَّد"),
        Arguments.of("Persian with zero-width non-joiner", "ماه\u200Cرخ", "ماه\u200Cرخ"),
        Arguments.of("Vietnamese", "Nguyễn Thị Minh Khai", "Nguyễn Thị Minh Khai"),
        Arguments.of("Japanese", "山田 さくら", "山田 さくら"),
        Arguments.of("decomposed accents become composed (NFC)", "Jose\u0301", "José"),
        Arguments.of("runs of spaces become one", "  Ana \u00A0 Petrovska ", "Ana Petrovska"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void acceptsNamesInEveryScriptUnchanged(String why, String name, String stored) {
    Api.Response answer = registerAs(name);
    assertEquals(201, answer.status(), answer.toString());
    assertEquals(stored, answer.json().getString("displayName"));
  }
}

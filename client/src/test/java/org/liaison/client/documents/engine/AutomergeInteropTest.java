package org.liaison.client.documents.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java binding and the browser's library on the same documents, both ways: what one side saves
 * or changes, the other loads or applies, and concurrent edits converge.
 */
class AutomergeInteropTest {
  static AutomergePeer js;

  @BeforeAll
  static void start() throws IOException {
    js = new AutomergePeer();
  }

  @AfterAll
  static void stop() throws IOException {
    js.close();
  }

  /** An action plan as the browser makes it: Text for prose, ImmutableString for ids and enums. */
  static JsonObject actionPlan() {
    return new JsonObject()
        .put("schema", str("liaison/action-plan"))
        .put("schemaVersion", 1)
        .put(
            "meta",
            new JsonObject()
                .put("title", "Action plan 2027 – Malmö 😀")
                .put("status", str("draft")))
        .put(
            "activities",
            new JsonObject()
                .put(
                    "a1",
                    new JsonObject()
                        .put("rank", str("a0"))
                        .put("title", "Youth outreach")
                        .put("status", str("planned"))
                        .put("budgetMinor", 150000)
                        .put("done", false)));
  }

  static JsonObject str(String value) {
    return new JsonObject().put("$str", value);
  }

  static JsonObject edit(List<String> path, String kind, Object value) {
    return new JsonObject().put("path", new JsonArray(path)).put(kind, value);
  }

  static final JsonObject EXPECTED =
      new JsonObject(
          "{\"schema\":\"liaison/action-plan\",\"schemaVersion\":1,"
              + "\"meta\":{\"title\":\"Action plan 2027 – Malmö 😀\",\"status\":\"draft\"},"
              + "\"activities\":{\"a1\":{\"rank\":\"a0\",\"title\":\"Youth outreach\","
              + "\"status\":\"planned\",\"budgetMinor\":150000,\"done\":false}}}");

  @Test
  void javaLoadsWhatJsSavedAndReadsTheSameJson() throws IOException {
    js.make("saved", actionPlan());
    try (DocumentEngine java = AutomergeEngine.load(js.save("saved"))) {
      assertEquals(EXPECTED, java.toJson());
      assertEquals(js.read("saved"), java.toJson());
      assertEquals(js.heads("saved"), java.heads());
    }
  }

  @Test
  void javaAppliesAJsChangeAndJsAppliesAJavaChange() throws IOException {
    js.make("pair", actionPlan());
    try (DocumentEngine java = AutomergeEngine.load(js.save("pair"))) {
      byte[] fromJs =
          js.change(
              "pair",
              new JsonArray()
                  .add(edit(List.of("activities", "a1", "status"), "str", "in-progress"))
                  .add(
                      edit(
                          List.of("meta", "title"), "text", "Action plan 2027 – Malmö (draft 2)")));
      java.applyChanges(fromJs);
      assertEquals(
          "in-progress",
          java.toJson().getJsonObject("activities").getJsonObject("a1").getString("status"));
      assertEquals(
          "Action plan 2027 – Malmö (draft 2)",
          java.toJson().getJsonObject("meta").getString("title"));

      byte[] fromJava =
          java.change(
              edits -> {
                edits.set(List.of("activities", "a1", "status"), "done");
                edits.set(List.of("activities", "a1", "budgetMinor"), "175000");
                edits.set(List.of("activities", "a1", "done"), "true");
                edits.set(List.of("activities", "a1", "title"), "Youth outreach in schools");
              });
      js.apply("pair", fromJava);
      assertEquals(java.toJson(), js.read("pair"));
      assertEquals(java.heads(), js.heads("pair"));
      // Java wrote the enum as a Str and the text as a splice into Text: JS still sees them so.
      JsonObject row = js.read("pair").getJsonObject("activities").getJsonObject("a1");
      assertEquals("done", row.getString("status"));
      assertEquals(175000, row.getInteger("budgetMinor"));
      assertEquals(true, row.getBoolean("done"));
      assertEquals("Youth outreach in schools", row.getString("title"));
    }
  }

  @Test
  void jsLoadsWhatJavaSaved() throws IOException {
    try (DocumentEngine java = AutomergeEngine.empty()) {
      java.change(
          edits -> {
            edits.putScalar(List.of("schema"), "liaison/blank");
            edits.putScalar(List.of("schemaVersion"), 1L);
            edits.putMap(List.of("meta"));
            edits.putText(List.of("meta", "title"), "Notes from Java");
            edits.putText(List.of("body"), "First line");
          });
      js.load("fromJava", java.save());
      assertEquals(java.toJson(), js.read("fromJava"));
      // And JS can keep editing the Text Java made.
      byte[] more =
          js.change(
              "fromJava", new JsonArray().add(edit(List.of("body"), "text", "First line\nSecond")));
      java.applyChanges(more);
      assertEquals("First line\nSecond", java.toJson().getString("body"));
    }
  }

  @Test
  void concurrentEditsOnBothSidesMergeToTheSameJson() throws IOException {
    js.make("concurrent", actionPlan());
    try (DocumentEngine java = AutomergeEngine.load(js.save("concurrent"))) {
      List<String> base = java.heads();
      // Both edit the same text at different places, and different fields of one row.
      byte[] fromJs =
          js.change(
              "concurrent",
              new JsonArray()
                  .add(edit(List.of("activities", "a1", "title"), "text", "Youth outreach (JS)"))
                  .add(edit(List.of("activities", "a1", "status"), "str", "delayed")));
      byte[] fromJava =
          java.change(
              edits -> {
                edits.set(List.of("activities", "a1", "title"), "Java: Youth outreach");
                edits.set(List.of("activities", "a1", "budgetMinor"), 99);
              });
      java.applyChanges(fromJs);
      js.apply("concurrent", fromJava);

      JsonObject merged = java.toJson();
      assertEquals(merged, js.read("concurrent"));
      assertEquals(java.heads(), js.heads("concurrent"));
      JsonObject row = merged.getJsonObject("activities").getJsonObject("a1");
      assertEquals("Java: Youth outreach (JS)", row.getString("title"));
      assertEquals("delayed", row.getString("status"));
      assertEquals(99, row.getInteger("budgetMinor"));
      // What Java changed since the common base is its one change, and JS already has it.
      byte[] since = java.changesSince(base);
      js.apply("concurrent", since);
      assertEquals(merged, js.read("concurrent"));
    }
  }

  @Test
  void aTenThousandEditDocumentFromJsLoadsInJava() throws IOException {
    js.make("typed", new JsonObject().put("body", ""));
    JsonObject typing =
        js.call(
            AutomergePeer.op("typing", "typed")
                .put("path", new JsonArray().add("body"))
                .put("count", 10_000));
    byte[] saved = js.save("typed");
    String expected = js.read("typed").getString("body");

    long started = System.nanoTime();
    try (DocumentEngine java = AutomergeEngine.load(saved)) {
      long loadMillis = (System.nanoTime() - started) / 1_000_000;
      assertEquals(expected, java.toJson().getString("body"));
      assertEquals(9_000 - 1_000, expected.length());

      byte[] allChanges = java.changesSince(List.of());
      started = System.nanoTime();
      try (DocumentEngine replayed = AutomergeEngine.empty()) {
        replayed.applyChanges(allChanges);
        long replayMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(expected, replayed.toJson().getString("body"));
        System.out.printf(
            "10 000 edits: JS typing %d ms, save %d bytes, Java load %d ms, Java replay of %d"
                + " bytes of changes in one batch %d ms%n",
            typing.getLong("millis"), saved.length, loadMillis, allChanges.length, replayMillis);
      }
    }
  }
}

package org.liaison.client.documents.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutomergeEngineTest {
  static DocumentEngine plan() {
    DocumentEngine engine = AutomergeEngine.empty();
    engine.change(
        edits -> {
          edits.putScalar(List.of("schema"), "liaison/action-plan");
          edits.putMap(List.of("meta"));
          edits.putText(List.of("meta", "title"), "Plan");
          edits.putScalar(List.of("meta", "status"), "draft");
          edits.putMap(List.of("activities"));
          edits.putMap(List.of("activities", "a1"));
          edits.putScalar(List.of("activities", "a1", "budgetMinor"), 100L);
          edits.putScalar(List.of("activities", "a1", "done"), false);
        });
    return engine;
  }

  static String code(Runnable action) {
    return assertThrows(DocumentEngineException.class, action::run).code();
  }

  @Test
  void setFollowsTheFieldsType() {
    try (DocumentEngine engine = plan()) {
      engine.change(
          edits -> {
            edits.set(List.of("meta", "title"), "Plan for 2027");
            edits.set(List.of("meta", "status"), "adopted");
            edits.set(List.of("activities", "a1", "budgetMinor"), "250");
            edits.set(List.of("activities", "a1", "done"), true);
          });
      assertEquals(
          new JsonObject(
              "{\"schema\":\"liaison/action-plan\",\"meta\":{\"title\":\"Plan for 2027\","
                  + "\"status\":\"adopted\"},\"activities\":{\"a1\":{\"budgetMinor\":250,"
                  + "\"done\":true}}}"),
          engine.toJson());
    }
  }

  @Test
  void badEditsAreRefusedWithACodeAndChangeNothing() {
    try (DocumentEngine engine = plan()) {
      List<String> heads = engine.heads();
      assertEquals(
          "no-such-field", code(() -> engine.change(e -> e.set(List.of("meta", "nope"), "x"))));
      assertEquals(
          "no-such-field", code(() -> engine.change(e -> e.set(List.of("nope", "title"), "x"))));
      assertEquals(
          "no-such-field",
          code(() -> engine.change(e -> e.set(List.of("meta", "title", "x"), "x"))));
      assertEquals("no-such-field", code(() -> engine.change(e -> e.set(List.of(), "x"))));
      assertEquals("not-a-field", code(() -> engine.change(e -> e.set(List.of("meta"), "x"))));
      assertEquals(
          "wrong-type",
          code(() -> engine.change(e -> e.set(List.of("activities", "a1", "budgetMinor"), "ten"))));
      assertEquals(
          "wrong-type",
          code(
              () ->
                  engine.change(
                      e -> e.set(List.of("activities", "a1", "budgetMinor"), 3_000_000_000L))));
      assertEquals(
          "wrong-type",
          code(() -> engine.change(e -> e.set(List.of("activities", "a1", "done"), "yes"))));
      assertEquals(
          "wrong-type", code(() -> engine.change(e -> e.set(List.of("meta", "title"), 12))));
      // A failed edit rolls back the edits before it in the same change.
      assertEquals(
          "no-such-field",
          code(
              () ->
                  engine.change(
                      e -> {
                        e.set(List.of("meta", "status"), "archived");
                        e.set(List.of("meta", "nope"), "x");
                      })));
      assertEquals(heads, engine.heads());
      assertEquals("draft", engine.toJson().getJsonObject("meta").getString("status"));
    }
  }

  @Test
  void anUnchangedValueMakesNoChange() {
    try (DocumentEngine engine = plan()) {
      assertArrayEquals(new byte[0], engine.change(e -> e.set(List.of("meta", "title"), "Plan")));
    }
  }

  @Test
  void versionsReadTheStateAtTheirHeads() {
    try (DocumentEngine engine = plan()) {
      List<String> version = engine.heads();
      engine.change(e -> e.set(List.of("meta", "title"), "Plan, revised"));
      assertEquals("Plan", engine.toJson(version).getJsonObject("meta").getString("title"));
      assertEquals("Plan, revised", engine.toJson().getJsonObject("meta").getString("title"));
    }
  }

  @Test
  void malformedBytesAndHeadsAreRefused() {
    assertEquals("malformed-document", code(() -> AutomergeEngine.load(new byte[] {1, 2, 3})));
    try (DocumentEngine engine = plan()) {
      // The native side would abort the JVM on a hash of the wrong length: refused before it.
      assertEquals("malformed-document", code(() -> engine.changesSince(List.of("abcd"))));
      assertEquals("malformed-document", code(() -> engine.toJson(List.of("zz"))));
    }
  }

  @Test
  void changesRoundTripBetweenTwoJavaReplicas() {
    try (DocumentEngine a = plan();
        DocumentEngine b = AutomergeEngine.load(a.save())) {
      byte[] change = a.change(e -> e.set(List.of("meta", "title"), "Plan A"));
      b.applyChanges(change);
      assertEquals(a.toJson(), b.toJson());
      assertEquals(a.heads(), b.heads());
    }
  }
}

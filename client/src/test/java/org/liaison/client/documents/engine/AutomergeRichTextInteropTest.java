package org.liaison.client.documents.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rich text as the browser writes it (Automerge marks on a Text) against the Java binding: Java
 * must load it, read the text as a plain string, keep editing it, and JS must still see the marks
 * after Java's edits. Block markers (splitBlock) are checked too, since they decide the design
 * (docs/documents.md, "Rich text").
 */
class AutomergeRichTextInteropTest {
  static AutomergePeer js;

  @BeforeAll
  static void start() throws IOException {
    js = new AutomergePeer();
  }

  @AfterAll
  static void stop() throws IOException {
    js.close();
  }

  static JsonObject mark(int start, int end, String name, Object value) {
    return new JsonObject()
        .put("path", new JsonArray().add("body"))
        .put(
            "mark",
            new JsonObject()
                .put("start", start)
                .put("end", end)
                .put("name", name)
                .put("value", value));
  }

  @Test
  void javaReadsMarkedTextAsPlainTextAndJsKeepsTheMarksAfterJavaEdits() throws IOException {
    js.make("marked", new JsonObject().put("body", "Meet the youth workers\n- Malmö\n- Aarhus"));
    js.change(
        "marked",
        new JsonArray()
            .add(mark(9, 14, "bold", true))
            .add(mark(15, 22, "italic", true))
            .add(mark(0, 4, "link", "https://example.org/a?b=1")));
    try (DocumentEngine java = AutomergeEngine.load(js.save("marked"))) {
      assertEquals("Meet the youth workers\n- Malmö\n- Aarhus", java.toJson().getString("body"));
      // Java edits before the bold word: the marks travel with the characters they cover. Java
      // splices only the middle that differs ("M" → "Please m"), so the link keeps "eet".
      byte[] fromJava =
          java.change(
              edits ->
                  edits.set(List.of("body"), "Please meet the youth workers\n- Malmö\n- Aarhus"));
      js.apply("marked", fromJava);
      assertEquals(java.toJson(), js.read("marked"));
      JsonArray marks = js.marks("marked", List.of("body"));
      assertEquals(
          new JsonArray()
              .add(markRead("link", "https://example.org/a?b=1", 8, 11))
              .add(markRead("bold", true, 16, 21))
              .add(markRead("italic", true, 22, 29)),
          sorted(marks));
    }
  }

  @Test
  void jsKeepsMarksWhenJavaRewritesInsideAMarkedWord() throws IOException {
    js.make("inside", new JsonObject().put("body", "one bold word"));
    js.change("inside", new JsonArray().add(mark(4, 8, "bold", true)));
    try (DocumentEngine java = AutomergeEngine.load(js.save("inside"))) {
      js.apply("inside", java.change(edits -> edits.set(List.of("body"), "one bald word")));
      assertEquals("one bald word", js.read("inside").getString("body"));
      // The replaced letter is new and outside the mark's ops; the rest of the word stays bold.
      JsonArray marks = sorted(js.marks("inside", List.of("body")));
      assertEquals(4, marks.getJsonObject(0).getInteger("start"));
      assertEquals(8, marks.getJsonObject(marks.size() - 1).getInteger("end"));
    }
  }

  /** Java reads the marks (code points turned into string indexes) and its export renders them. */
  @Test
  void javaReadsTheMarksAndItsMarkdownExportRendersThem() throws IOException {
    js.make(
        "export",
        new JsonObject()
            .put("meta", new JsonObject().put("title", "Notes"))
            .put("body", "😀 bold then italic, see the report\n- one"));
    List<String> unmarked = js.heads("export");
    js.change(
        "export",
        new JsonArray()
            .add(mark(3, 8, "bold", true))
            .add(mark(13, 19, "italic", true))
            .add(mark(25, 35, "link", "https://example.org/a(1)"))
            .add(mark(38, 41, "link", "javascript:alert(1)")));
    try (DocumentEngine java = AutomergeEngine.load(js.save("export"))) {
      List<TextMark> marks = java.marks(null).get("body");
      assertEquals(new TextMark("bold", true, 3, 8), marks.get(0));
      String markdown =
          org.liaison.client.documents.MarkdownExport.render(java.toJson(), java.marks(null));
      assertEquals(
          true,
          markdown.contains(
              "😀 **bold** then *italic*, see [the report](https://example.org/a%281%29)\n- one"),
          markdown);
      // At heads before the marks: none.
      assertEquals(Map.of(), java.marks(unmarked));
    }
  }

  /**
   * Block markers are objects inside the Text. Java reads the text with a U+FFFC for each, which a
   * plain-text reader (export, CLI, a textarea) would show as garbage, so the browser does not
   * write them: lists are "- " lines (docs/documents.md).
   */
  @Test
  void blockMarkersReachJavaAsObjectReplacementCharacters() throws IOException {
    js.make("blocks", new JsonObject().put("body", "Intro"));
    js.change(
        "blocks",
        new JsonArray()
            .add(
                new JsonObject()
                    .put("path", new JsonArray().add("body"))
                    .put("block", new JsonObject().put("index", 0).put("type", "paragraph"))));
    try (DocumentEngine java = AutomergeEngine.load(js.save("blocks"))) {
      assertEquals("\uFFFCIntro", java.toJson().getString("body"));
    }
  }

  static JsonObject markRead(String name, Object value, int start, int end) {
    return new JsonObject()
        .put("name", name)
        .put("value", value)
        .put("start", start)
        .put("end", end);
  }

  static JsonArray sorted(JsonArray marks) {
    return new JsonArray(
        marks.stream()
            .map(JsonObject.class::cast)
            .sorted(
                (a, b) ->
                    a.getInteger("start") != b.getInteger("start")
                        ? a.getInteger("start") - b.getInteger("start")
                        : a.getString("name").compareTo(b.getString("name")))
            .map(Object.class::cast)
            .toList());
  }
}

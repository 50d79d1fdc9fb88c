package org.liaison.client.documents;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.liaison.client.documents.engine.TextMark;

/**
 * A document's state as Markdown, made on this side (the server never sees plaintext): the title,
 * then each section in document order — text as paragraphs, fields as a list, row maps as tables
 * ordered by {@code rank}, comments last.
 */
public final class MarkdownExport {
  private static final Set<String> SKIPPED = Set.of("schema", "schemaVersion", "meta", "comments");

  private MarkdownExport() {}

  public static String render(JsonObject document) {
    return render(document, Map.of());
  }

  /**
   * With the rich-text marks of its free-text fields ({@link
   * org.liaison.client.documents.engine.DocumentEngine#marks}): bold, italic and http(s)/mailto
   * links, as the browser's export writes them. Table cells stay plain.
   */
  public static String render(JsonObject document, Map<String, List<TextMark>> marks) {
    StringBuilder md = new StringBuilder();
    JsonObject meta = document.getJsonObject("meta", new JsonObject());
    md.append("# ").append(line(meta.getString("title", "Untitled"))).append("\n\n");
    for (Map.Entry<String, Object> field : meta) {
      if (!field.getKey().equals("title") && !String.valueOf(field.getValue()).isEmpty()) {
        md.append("- **").append(label(field.getKey())).append(":** ");
        md.append(line(String.valueOf(field.getValue()))).append('\n');
      }
    }
    md.append('\n');
    for (Map.Entry<String, Object> section : document) {
      if (SKIPPED.contains(section.getKey())) {
        continue;
      }
      md.append("## ").append(label(section.getKey())).append("\n\n");
      section(md, section.getKey(), section.getValue(), marks);
    }
    JsonObject comments = document.getJsonObject("comments", new JsonObject());
    if (!comments.isEmpty()) {
      md.append("## Comments\n\n");
      for (JsonObject comment : rows(comments)) {
        md.append("- ")
            .append(comment.getBoolean("resolved", false) ? "~~" : "")
            .append(line(comment.getString("authorName", "")))
            .append(" on `")
            .append(comment.getString("anchor", ""))
            .append("`: ")
            .append(line(comment.getString("body", "")))
            .append(comment.getBoolean("resolved", false) ? "~~" : "")
            .append('\n');
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static void section(
      StringBuilder md, String key, Object value, Map<String, List<TextMark>> marks) {
    if (value instanceof JsonObject object && isRows(object)) {
      table(md, rows(object));
    } else if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        if (field.getValue() instanceof JsonObject rows && isRows(rows)) {
          md.append("### ").append(label(field.getKey())).append("\n\n");
          table(md, rows(rows));
        } else {
          md.append("**").append(label(field.getKey())).append("**\n\n");
          String path = key + "/" + field.getKey();
          md.append(paragraph(String.valueOf(field.getValue()), marks.get(path))).append("\n\n");
        }
      }
    } else {
      md.append(paragraph(String.valueOf(value), marks.get(key))).append("\n\n");
    }
  }

  /** A map of rows: empty, or every value a map (each with a rank). */
  private static boolean isRows(JsonObject object) {
    return object.stream()
        .allMatch(e -> e.getValue() instanceof JsonObject row && row.containsKey("rank"));
  }

  private static List<JsonObject> rows(JsonObject object) {
    List<JsonObject> rows = new ArrayList<>();
    object.forEach(e -> rows.add((JsonObject) e.getValue()));
    rows.sort(
        Comparator.comparing((JsonObject row) -> row.getString("rank", ""))
            .thenComparing(row -> row.getString("createdAt", "")));
    return rows;
  }

  private static void table(StringBuilder md, List<JsonObject> rows) {
    if (rows.isEmpty()) {
      md.append("_None._\n\n");
      return;
    }
    Set<String> columns = new LinkedHashSet<>();
    rows.forEach(
        row -> row.fieldNames().stream().filter(c -> !c.equals("rank")).forEach(columns::add));
    md.append('|');
    columns.forEach(c -> md.append(' ').append(label(c)).append(" |"));
    md.append("\n|");
    columns.forEach(c -> md.append(" --- |"));
    md.append('\n');
    for (JsonObject row : rows) {
      md.append('|');
      columns.forEach(c -> md.append(' ').append(cell(row.getValue(c))).append(" |"));
      md.append('\n');
    }
    md.append('\n');
  }

  /** camelCase to "Camel case". */
  static String label(String key) {
    String spaced = key.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase();
    return spaced.isEmpty()
        ? spaced
        : Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
  }

  private static String cell(Object value) {
    return value == null ? "" : line(String.valueOf(value)).replace("|", "\\|");
  }

  private static String line(String text) {
    return text.replace('\n', ' ').replace("\r", "");
  }

  private static String paragraph(String text, List<TextMark> marks) {
    return text.isBlank() ? "_Empty._" : formatted(text, marks == null ? List.of() : marks).strip();
  }

  /**
   * The text with {@code **bold**}, {@code *italic*} and {@code [text](url)} where its marks say;
   * markers hug the words (spaces at a run's edges stay outside, as CommonMark needs).
   */
  static String formatted(String text, List<TextMark> marks) {
    List<TextMark> known = marks.stream().filter(MarkdownExport::isKnown).toList();
    if (known.isEmpty()) {
      return text;
    }
    TreeSet<Integer> cuts = new TreeSet<>(List.of(0, text.length()));
    for (TextMark m : known) {
      cuts.add(Math.max(0, Math.min(text.length(), m.start())));
      cuts.add(Math.max(0, Math.min(text.length(), m.end())));
    }
    StringBuilder out = new StringBuilder();
    Integer from = cuts.first();
    for (Integer to : cuts.tailSet(from, false)) {
      // A run never crosses a line: emphasis cannot span a line break in Markdown.
      String[] lines = text.substring(from, to).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        if (i > 0) {
          out.append('\n');
        }
        out.append(run(lines[i], from, to, known));
      }
      from = to;
    }
    return out.toString();
  }

  private static String run(String text, int from, int to, List<TextMark> marks) {
    String core = text.strip();
    if (core.isEmpty()) {
      return text;
    }
    int lead = text.indexOf(core);
    String md = core;
    String link = null;
    boolean bold = false;
    boolean italic = false;
    for (TextMark m : marks) {
      if (m.start() <= from && m.end() >= to) {
        bold |= m.name().equals("bold");
        italic |= m.name().equals("italic");
        link = m.name().equals("link") ? (String) m.value() : link;
      }
    }
    if (italic) {
      md = "*" + md + "*";
    }
    if (bold) {
      md = "**" + md + "**";
    }
    if (link != null) {
      md = "[" + md + "](" + link.replace("(", "%28").replace(")", "%29").replace(" ", "%20") + ")";
    }
    return text.substring(0, lead) + md + text.substring(lead + core.length());
  }

  private static boolean isKnown(TextMark mark) {
    return switch (mark.name()) {
      case "bold", "italic" -> Boolean.TRUE.equals(mark.value());
      case "link" ->
          mark.value() instanceof String url
              && (url.startsWith("https://")
                  || url.startsWith("http://")
                  || url.startsWith("mailto:"));
      default -> false;
    };
  }
}

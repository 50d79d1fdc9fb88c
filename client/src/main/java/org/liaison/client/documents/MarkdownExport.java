package org.liaison.client.documents;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A document's state as Markdown, made on this side (the server never sees plaintext): the title,
 * then each section in document order — text as paragraphs, fields as a list, row maps as tables
 * ordered by {@code rank}, comments last.
 */
public final class MarkdownExport {
  private static final Set<String> SKIPPED = Set.of("schema", "schemaVersion", "meta", "comments");

  private MarkdownExport() {}

  public static String render(JsonObject document) {
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
      section(md, section.getValue());
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

  private static void section(StringBuilder md, Object value) {
    if (value instanceof JsonObject object && isRows(object)) {
      table(md, rows(object));
    } else if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> field : object) {
        if (field.getValue() instanceof JsonObject rows && isRows(rows)) {
          md.append("### ").append(label(field.getKey())).append("\n\n");
          table(md, rows(rows));
        } else {
          md.append("**").append(label(field.getKey())).append("**\n\n");
          md.append(paragraph(String.valueOf(field.getValue()))).append("\n\n");
        }
      }
    } else {
      md.append(paragraph(String.valueOf(value))).append("\n\n");
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

  private static String paragraph(String text) {
    return text.isBlank() ? "_Empty._" : text.strip();
  }
}

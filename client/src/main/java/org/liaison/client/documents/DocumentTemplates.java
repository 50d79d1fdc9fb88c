package org.liaison.client.documents;

import java.util.List;
import java.util.Map;
import org.liaison.client.documents.engine.DocumentEngine.DocumentEditor;

/**
 * The initial content of each template (docs/documents.md, "Templates"): the root {@code schema}
 * and {@code schemaVersion}, the {@code meta} fields, empty text sections and empty row maps.
 */
final class DocumentTemplates {
  static final List<String> NAMES =
      List.of(
          "liaison/action-plan",
          "liaison/city-exchange",
          "liaison/small-grant",
          "liaison/event-record",
          "liaison/blank");

  private enum Kind {
    TEXT,
    STRING,
    ROWS
  }

  private static final Map<String, Map<String, Object>> SECTIONS =
      Map.of(
          "liaison/action-plan",
          Map.of(
              "context",
              Map.of("summary", Kind.TEXT, "localDrivers", Kind.TEXT, "previousWork", Kind.TEXT),
              "risks",
              Kind.ROWS,
              "priorities",
              Kind.ROWS,
              "partners",
              Kind.ROWS,
              "activities",
              Kind.ROWS,
              "mitigations",
              Kind.ROWS,
              "indicators",
              Kind.ROWS,
              "coordination",
              Map.of("notes", Kind.TEXT)),
          "liaison/city-exchange",
          Map.of(
              "agenda", Kind.ROWS,
              "siteVisits", Kind.ROWS,
              "lessons", Kind.TEXT,
              "outcomes", Kind.ROWS,
              "followUps", Kind.ROWS),
          "liaison/small-grant",
          Map.of(
              "summary", Kind.TEXT,
              "need", Kind.TEXT,
              "objectives", Kind.TEXT,
              "activities", Kind.ROWS,
              "budget", Kind.TEXT,
              "evaluation", Kind.TEXT),
          "liaison/event-record",
          Map.of(
              "participants", Kind.ROWS,
              "summary", Kind.TEXT,
              "outcomes", Kind.TEXT,
              "followUps", Kind.ROWS),
          "liaison/blank",
          Map.of("body", Kind.TEXT));

  private static final Map<String, Map<String, Kind>> META =
      Map.of(
          "liaison/action-plan",
          Map.of(
              "city", Kind.TEXT,
              "periodStart", Kind.STRING,
              "periodEnd", Kind.STRING,
              "status", Kind.STRING),
          "liaison/city-exchange",
          Map.of(
              "hostCity", Kind.TEXT,
              "visitingCity", Kind.TEXT,
              "start", Kind.STRING,
              "end", Kind.STRING),
          "liaison/small-grant",
          Map.of(
              "applicant", Kind.TEXT,
              "city", Kind.TEXT,
              "currency", Kind.STRING,
              "start", Kind.STRING,
              "end", Kind.STRING),
          "liaison/event-record",
          Map.of("date", Kind.STRING, "place", Kind.TEXT, "kind", Kind.STRING),
          "liaison/blank",
          Map.of());

  private DocumentTemplates() {}

  static void requireKnown(String template) {
    if (!NAMES.contains(template)) {
      throw new DocumentException(
          "unknown-template", "unknown template " + template + "; one of " + NAMES);
    }
  }

  static void initialise(DocumentEditor edits, String template, String title) {
    requireKnown(template);
    edits.putScalar(List.of("schema"), template);
    edits.putScalar(List.of("schemaVersion"), 1L);
    edits.putMap(List.of("meta"));
    edits.putText(List.of("meta", "title"), title);
    META.get(template)
        .forEach(
            (field, kind) ->
                put(edits, List.of("meta", field), kind, field.equals("status") ? "draft" : ""));
    if (template.equals("liaison/small-grant")) {
      edits.putScalar(List.of("meta", "amountMinor"), 0L);
    }
    SECTIONS
        .get(template)
        .forEach(
            (section, shape) -> {
              if (shape instanceof Map<?, ?> fields) {
                edits.putMap(List.of(section));
                fields.forEach(
                    (field, kind) -> put(edits, List.of(section, (String) field), (Kind) kind, ""));
              } else {
                put(edits, List.of(section), (Kind) shape, "");
              }
            });
    edits.putMap(List.of("comments"));
  }

  private static void put(DocumentEditor edits, List<String> path, Kind kind, String value) {
    switch (kind) {
      case TEXT -> edits.putText(path, value);
      case STRING -> edits.putScalar(path, value);
      case ROWS -> edits.putMap(path);
    }
  }
}

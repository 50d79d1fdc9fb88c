package org.liaison.client.documents.engine;

/**
 * A rich-text mark on a Text (docs/documents.md "Rich text"): {@code bold}, {@code italic} ({@code
 * true}) or {@code link} (the URL), over [start, end) in Java string (UTF-16) indexes.
 */
public record TextMark(String name, Object value, int start, int end) {}

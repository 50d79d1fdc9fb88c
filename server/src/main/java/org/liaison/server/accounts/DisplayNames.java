package org.liaison.server.accounts;

import io.vertx.core.json.JsonObject;
import java.text.Normalizer;
import java.util.EnumSet;
import java.util.Set;
import org.liaison.server.api.ApiError;

/**
 * The rule for names people see beside messages and in the directory. A name is NFC-normalised,
 * trimmed, and its runs of spaces become one space; it is refused (naming the field) if it holds
 * anything that can hide text, reorder the text around it, or pass for another person's name:
 *
 * <ul>
 *   <li>control characters (Cc: NUL, tab, newline, escape, C1) and format characters (Cf: bidi
 *       embeddings, overrides and isolates U+202A..U+202E, U+2066..U+2069, marks, zero-width space,
 *       soft hyphen, BOM...), line and paragraph separators, private-use, surrogate and unassigned
 *       code points;
 *   <li>except the zero-width joiner and non-joiner (U+200D, U+200C) between two letters of a
 *       script that needs them (Arabic-script Persian and Urdu, Indic scripts), and not in Latin,
 *       Greek or Cyrillic, which never need them and where they would only make invisible
 *       look-alikes;
 *   <li>a word mixing Latin, Greek and Cyrillic letters (Cyrillic "а" in "Ana"): the cheap, common
 *       look-alike; names wholly in one of them pass;
 *   <li>more than {@value #MAX_MARKS} combining marks on one letter (stacked marks spill over other
 *       lines).
 * </ul>
 */
public final class DisplayNames {
  public static final int MAX_LENGTH = 100;
  private static final int MAX_MARKS = 4;
  private static final int ZWNJ = 0x200C;
  private static final int ZWJ = 0x200D;
  private static final Set<Character.UnicodeScript> LOOKALIKE_SCRIPTS =
      EnumSet.of(
          Character.UnicodeScript.LATIN,
          Character.UnicodeScript.GREEK,
          Character.UnicodeScript.CYRILLIC);

  private DisplayNames() {}

  /** The name at {@code field} of {@code body}, normalised; refused if absent or unsafe. */
  public static String required(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw ApiError.invalidField(field, field + " must be a string");
    }
    String raw = value == null ? "" : (String) value;
    // Checked before normalising too, so a huge value costs no work.
    if (raw.length() > 4 * MAX_LENGTH) {
      throw tooLong(field);
    }
    String name = collapseSpaces(Normalizer.normalize(raw, Normalizer.Form.NFC));
    if (name.isEmpty()) {
      throw ApiError.invalidField(field, field + " is required");
    }
    if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
      throw tooLong(field);
    }
    check(name, field);
    return name;
  }

  private static ApiError tooLong(String field) {
    return ApiError.invalidField(field, field + " must be at most " + MAX_LENGTH + " characters");
  }

  /** Every run of space separators becomes one U+0020; leading and trailing ones go. */
  private static String collapseSpaces(String text) {
    StringBuilder out = new StringBuilder(text.length());
    boolean space = false;
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (Character.getType(c) == Character.SPACE_SEPARATOR) {
        space = true;
        continue;
      }
      if (space && out.length() > 0) {
        out.append(' ');
      }
      space = false;
      out.appendCodePoint(c);
    }
    return out.toString();
  }

  private static void check(String name, String field) {
    int[] cps = name.codePoints().toArray();
    Character.UnicodeScript wordScript = null;
    int marks = 0;
    for (int i = 0; i < cps.length; i++) {
      int c = cps[i];
      int type = Character.getType(c);
      if (c == ZWJ || c == ZWNJ) {
        if (!joinsLetters(cps, i)) {
          throw unsafe(field, c);
        }
        continue;
      }
      if (forbidden(type)) {
        throw unsafe(field, c);
      }
      if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
        if (++marks > MAX_MARKS) {
          throw ApiError.invalidField(field, field + " has too many accents on one letter");
        }
        continue;
      }
      marks = 0;
      if (!Character.isLetter(c)) {
        wordScript = null;
        continue;
      }
      Character.UnicodeScript script = Character.UnicodeScript.of(c);
      if (LOOKALIKE_SCRIPTS.contains(script)) {
        if (wordScript != null && wordScript != script) {
          throw ApiError.invalidField(
              field, field + " mixes Latin, Greek or Cyrillic letters in one word");
        }
        wordScript = script;
      }
    }
  }

  private static boolean forbidden(int type) {
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.PRIVATE_USE
        || type == Character.SURROGATE
        || type == Character.UNASSIGNED;
  }

  /** A joiner between two letters (or marks) of one script that needs joiners. */
  private static boolean joinsLetters(int[] cps, int at) {
    if (at == 0 || at == cps.length - 1) {
      return false;
    }
    int before = cps[at - 1];
    int after = cps[at + 1];
    if (!letterOrMark(before) || !letterOrMark(after)) {
      return false;
    }
    // A mark's own script is INHERITED; the letter beside the joiner tells the script.
    Character.UnicodeScript script = Character.UnicodeScript.of(after);
    Character.UnicodeScript previous = Character.UnicodeScript.of(before);
    if (script == Character.UnicodeScript.INHERITED) {
      script = previous;
    } else if (previous != Character.UnicodeScript.INHERITED && previous != script) {
      return false;
    }
    return !LOOKALIKE_SCRIPTS.contains(script)
        && script != Character.UnicodeScript.COMMON
        && script != Character.UnicodeScript.INHERITED;
  }

  private static boolean letterOrMark(int c) {
    int type = Character.getType(c);
    return Character.isLetter(c)
        || type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  private static ApiError unsafe(String field, int c) {
    return ApiError.invalidField(
        field,
        String.format(
            "%s must not contain U+%04X: control and invisible formatting characters are not"
                + " allowed in names",
            field, c));
  }
}

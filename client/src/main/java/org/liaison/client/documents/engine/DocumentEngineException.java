package org.liaison.client.documents.engine;

/** A document or an edit was refused; {@link #code} is stable for callers and the CLI. */
public final class DocumentEngineException extends RuntimeException {
  private final String code;

  public DocumentEngineException(String code, String message) {
    super(message);
    this.code = code;
  }

  /**
   * {@code malformed-document}, {@code no-such-field}, {@code not-a-field} or {@code wrong-type}.
   */
  public String code() {
    return code;
  }
}

package org.liaison.client.documents;

/**
 * A document operation was refused on this side: no key for the generation a record names, a record
 * that does not verify, a missing keyring nobody here can write. {@link #code} is stable.
 */
public final class DocumentException extends RuntimeException {
  private final String code;

  public DocumentException(String code, String message) {
    super(message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}

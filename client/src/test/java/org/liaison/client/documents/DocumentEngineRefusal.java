package org.liaison.client.documents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.function.Executable;
import org.liaison.client.documents.engine.DocumentEngineException;

/** Asserts an edit was refused by the engine with this code. */
final class DocumentEngineRefusal {
  private DocumentEngineRefusal() {}

  static void expect(String code, Executable action) {
    assertEquals(code, assertThrows(DocumentEngineException.class, action).code());
  }
}

package org.liaison.client.documents;

import java.util.List;

/**
 * A named version: the document's Automerge heads when it was saved, signed by its author. {@code
 * verified} is false when the record does not open or its signature does not verify; name, heads
 * and note are then empty and must not be shown as the author's.
 */
public record DocumentVersion(
    String id,
    long seq,
    String authorUserId,
    String authorDeviceId,
    String createdAt,
    String name,
    List<String> heads,
    String note,
    boolean verified) {}

package org.liaison.server.delivery;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import org.liaison.server.api.ApiError;
import org.liaison.server.api.Base64Field;
import org.liaison.server.api.Fields;
import org.liaison.server.api.Ids;

/**
 * One reading of the two append requests, {@code send} and {@code commit}, whether they came as an
 * HTTP body or a realtime frame: the same fields, limits and errors either way.
 */
public final class AppendRequests {
  /** MLS messages are capped before parsing (bcmls 1.84 predates later hardening). */
  public static final int MAX_MLS_BYTES = 256 * 1024;

  private static final int MAX_CLIENT_MESSAGE_ID = 64;

  private final DeliveryService delivery;

  public AppendRequests(DeliveryService delivery) {
    this.delivery = delivery;
  }

  /** {@code {epoch, clientMessageId, ciphertext}}: an application message. */
  public Future<DeliveryService.Accepted> send(
      DeliveryService.Sender sender, String channelId, JsonObject body) {
    long epoch = Fields.wholeNumber(body, "epoch");
    String clientMessageId =
        clientMessageId(Fields.requiredText(body, "clientMessageId", MAX_CLIENT_MESSAGE_ID));
    byte[] ciphertext = Base64Field.required(body, "ciphertext", MAX_MLS_BYTES);
    return delivery.send(sender, channelId, epoch, clientMessageId, ciphertext);
  }

  /** {@code {epoch, commit, groupInfo, welcome?, clientMessageId?}}: a handshake. */
  public Future<DeliveryService.Accepted> commit(
      DeliveryService.Sender sender, String channelId, JsonObject body) {
    long epoch = Fields.wholeNumber(body, "epoch");
    byte[] commit = Base64Field.required(body, "commit", MAX_MLS_BYTES);
    Optional<byte[]> welcome = Base64Field.optional(body, "welcome", MAX_MLS_BYTES);
    byte[] groupInfo = Base64Field.required(body, "groupInfo", MAX_MLS_BYTES);
    String clientMessageId =
        Fields.optionalText(body, "clientMessageId", MAX_CLIENT_MESSAGE_ID)
            .map(AppendRequests::clientMessageId)
            .orElseGet(Ids::newId);
    return delivery.commit(sender, channelId, epoch, clientMessageId, commit, welcome, groupInfo);
  }

  private static String clientMessageId(String id) {
    if (!id.matches("^[A-Za-z0-9_-]{1,64}$")) {
      throw ApiError.invalidField(
          "clientMessageId", "clientMessageId must be 1..64 of A-Z a-z 0-9 _ -");
    }
    return id;
  }
}

package org.liaison.server.realtime;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.liaison.server.access.AccessRules;
import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;
import org.liaison.server.auth.Actor;
import org.liaison.server.events.Events;

/**
 * What a connection hears besides its channels and its device: its session ending and its user's
 * suspension (which end it), the network changing ({@code network-updated}, to everyone), and for
 * coordinators and admins, people they manage needing their devices confirmed again ({@code
 * confirmations-needed}). The events already are frames; they are passed on as they are.
 */
final class Announcements {
  /** What a user hears about their own account and passes on to every device of theirs. */
  private static final java.util.Set<String> PASSED_ON =
      java.util.Set.of("device-updated", "coordinator-key-updated");

  private final List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();

  /**
   * @param frame writes a frame to the socket
   * @param end tells the device why and closes the socket
   */
  Announcements(Vertx vertx, Actor actor, Consumer<JsonObject> frame, Consumer<ApiError> end) {
    // Logout and suspension end the socket too, not only the tokens.
    consumers.add(
        vertx
            .eventBus()
            .consumer(
                Events.session(actor.sessionId()),
                m -> end.accept(ApiError.unauthorized("session-ended", "This session has ended"))));
    // The user's own news: a device of theirs changed status or their coordinator key was signed
    // (passed on), or the account was suspended (anything else on this address ends the socket:
    // failing closed).
    consumers.add(
        vertx
            .eventBus()
            .<JsonObject>consumer(
                Events.user(actor.user().id()),
                m -> {
                  if (PASSED_ON.contains(m.body().getString("type"))) {
                    frame.accept(m.body().copy());
                  } else if ("deleted".equals(m.body().getString("type"))) {
                    end.accept(new ApiError(401, "account-deleted", "This account was deleted"));
                  } else {
                    end.accept(new ApiError(401, "account-suspended", "This account is suspended"));
                  }
                }));
    for (String address : addresses(actor.user())) {
      consumers.add(
          vertx.eventBus().<JsonObject>consumer(address, m -> frame.accept(m.body().copy())));
    }
  }

  /** Everyone hears the network; admins and a city's coordinators hear about those they manage. */
  private static List<String> addresses(User user) {
    List<String> addresses = new ArrayList<>(List.of(Events.NETWORK));
    if (AccessRules.isAdmin(user)) {
      addresses.add(Events.ADMINS);
    } else if (user.role() == Role.CITY_COORDINATOR && user.cityId() != null) {
      addresses.add(Events.coordinators(user.cityId()));
    }
    return addresses;
  }

  void stop() {
    consumers.forEach(MessageConsumer::unregister);
  }
}

package org.liaison.server.access;

import org.liaison.server.accounts.Role;
import org.liaison.server.accounts.Tier;
import org.liaison.server.accounts.User;
import org.liaison.server.api.ApiError;

/**
 * Who may administer whom. Network admins manage everything. A city coordinator manages its own
 * city only, never grants a tier or role above its own, and never manages someone above itself.
 * Nobody changes their own tier, role or status: that always takes a second person.
 */
public final class AccessRules {
  private AccessRules() {}

  public static boolean isAdmin(User actor) {
    return actor.role() == Role.NETWORK_ADMIN;
  }

  public static void requireNetworkAdmin(User actor) {
    if (!isAdmin(actor)) {
      throw ApiError.forbidden("Only a network admin can do this");
    }
  }

  /** Admins, or the coordinator of this city. */
  public static boolean managesCity(User actor, String cityId) {
    return isAdmin(actor)
        || (actor.role() == Role.CITY_COORDINATOR
            && cityId != null
            && cityId.equals(actor.cityId()));
  }

  public static void requireManagesCity(User actor, String cityId) {
    if (!managesCity(actor, cityId)) {
      throw ApiError.forbidden(
          actor.role() == Role.CITY_COORDINATOR
              ? "A city coordinator can only manage their own city"
              : "Only a network admin or this city's coordinator can do this");
    }
  }

  /** Granting {@code tier} and {@code role} (by invitation or change) stays within one's own. */
  public static void requireMayGrant(User actor, Tier tier, Role role) {
    if (isAdmin(actor)) {
      return;
    }
    if (!actor.tier().atLeast(tier)) {
      throw ApiError.forbidden(
          "You hold " + actor.tier() + " and cannot grant " + tier + ", which is above it");
    }
    if (!actor.role().atLeast(role)) {
      throw ApiError.forbidden(
          "You cannot grant the role " + role.wire() + ", which is above yours");
    }
  }

  /**
   * Administering another user: changing their tier, role or status, or acting on their devices.
   * The one rule of who administers whom.
   */
  public static void requireManagesUser(User actor, User target) {
    if (actor.id().equals(target.id())) {
      throw ApiError.forbidden("Another administrator must change your own account");
    }
    requireManagesCity(actor, target.cityId());
    if (above(target, actor)) {
      throw ApiError.forbidden("This user's tier or role is above yours");
    }
  }

  /** {@link #requireManagesUser} as a question, for lists that show only whom one administers. */
  public static boolean managesUser(User actor, User target) {
    return !actor.id().equals(target.id())
        && managesCity(actor, target.cityId())
        && !above(target, actor);
  }

  private static boolean above(User target, User actor) {
    return !isAdmin(actor)
        && (target.role().compareTo(actor.role()) > 0 || target.tier().compareTo(actor.tier()) > 0);
  }

  /**
   * Who may send a broadcast to these cities (empty = every city): a network admin anywhere, a city
   * coordinator to exactly their own city; and only with a signed coordinator attestation (which
   * recipients check) from an active device. 403 broadcast-not-allowed with {@code details.rule}
   * one of author-role, author-city, author-key, device-not-attested.
   */
  public static void requireMayBroadcast(
      User actor, java.util.List<String> cities, boolean hasCoordinatorKey, boolean deviceActive) {
    if (!isAdmin(actor) && actor.role() != Role.CITY_COORDINATOR) {
      throw notAllowedToBroadcast(
          "author-role", "Only coordinators and network admins send announcements");
    }
    if (!isAdmin(actor)
        && (actor.cityId() == null || !cities.equals(java.util.List.of(actor.cityId())))) {
      throw notAllowedToBroadcast(
          "author-city", "A city coordinator can send announcements to their own city only");
    }
    if (!hasCoordinatorKey) {
      throw notAllowedToBroadcast(
          "author-key",
          "Your coordinator key must be signed by the network before you send announcements");
    }
    if (!deviceActive) {
      throw notAllowedToBroadcast(
          "device-not-attested", "This device must be confirmed before it sends announcements");
    }
  }

  private static ApiError notAllowedToBroadcast(String rule, String message) {
    return new ApiError(
        403,
        "broadcast-not-allowed",
        message,
        new io.vertx.core.json.JsonObject().put("rule", rule));
  }

  /** E-mail addresses are shown to those who manage the user, and to the user. */
  public static boolean seesContactDetails(User actor, User target) {
    return actor.id().equals(target.id()) || managesCity(actor, target.cityId());
  }

  /** Whoever sees the whole directory without asking which channels they share. */
  public static boolean seesEveryone(User actor) {
    return isAdmin(actor) || actor.tier() == Tier.T3;
  }

  /**
   * Who appears in a member's directory. Tiers are vetting levels, so a member sees people of their
   * own tier and below, and never learns from the directory who holds a higher one; but everyone
   * sees the coordinators and admins (whom to ask), themselves, and the people they already share a
   * channel with (or channels would show "Unknown member"). Admins and T3 see everyone; a city
   * coordinator sees their whole city.
   */
  public static boolean seesInDirectory(User actor, User target, boolean sharesChannel) {
    return seesEveryone(actor)
        || actor.id().equals(target.id())
        || target.role() != Role.MEMBER
        || actor.tier().atLeast(target.tier())
        || managesCity(actor, target.cityId())
        || sharesChannel;
  }
}

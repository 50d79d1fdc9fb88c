package org.liaison.server.organisations;

import org.liaison.server.api.WireEnum;

/** The sector an organisation (and so each of its members) works in; channels filter on it. */
public enum Sector {
  LAW_ENFORCEMENT,
  MUNICIPALITY,
  CIVIL_SOCIETY,
  YOUTH_WORK,
  EDUCATION,
  HEALTH,
  SOCIAL_SERVICES,
  NATIONAL_COORDINATION,
  NETWORK_STAFF;

  public String wire() {
    return WireEnum.name(this);
  }

  public static Sector parse(String raw) {
    return WireEnum.parse(Sector.class, raw);
  }

  public static final String ALLOWED = WireEnum.allowed(Sector.class);
}

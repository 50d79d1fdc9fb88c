package org.liaison.server.accounts;

/**
 * Vetting tiers, ordered: T0 network member, T1 vetted partner, T2 restricted, T3
 * case-confidential. A channel's minimum tier admits this tier and every higher one.
 */
public enum Tier {
  T0,
  T1,
  T2,
  T3;

  public boolean atLeast(Tier other) {
    return compareTo(other) >= 0;
  }

  public static Tier parse(String raw) {
    return Tier.valueOf(raw);
  }

  public static final String ALLOWED = "T0, T1, T2, T3";
}

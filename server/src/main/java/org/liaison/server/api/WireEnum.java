package org.liaison.server.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Enum constants on the wire and in the store: {@code CITY_COORDINATOR} is "city-coordinator". */
public final class WireEnum {
  private WireEnum() {}

  public static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static <E extends Enum<E>> E parse(Class<E> type, String wire) {
    for (E constant : type.getEnumConstants()) {
      if (name(constant).equals(wire)) {
        return constant;
      }
    }
    throw new IllegalArgumentException("unknown " + type.getSimpleName());
  }

  public static String allowed(Class<? extends Enum<?>> type) {
    return Arrays.stream(type.getEnumConstants())
        .map(WireEnum::name)
        .collect(Collectors.joining(", "));
  }
}

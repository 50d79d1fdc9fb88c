package org.liaison.server.config;

import java.util.function.Function;

/**
 * One configurable value: its key in {@code config/liaison.yaml}, the environment variable that
 * overrides it, its default, and how a raw value is checked.
 */
record Setting<T>(String key, String env, String defaultValue, Parser<T> parser) {

  interface Parser<T> {
    /** Returns the value, or throws {@link IllegalArgumentException} saying what was expected. */
    T parse(String raw);
  }

  static Setting<Integer> integer(String key, String env, int defaultValue, int min, int max) {
    return new Setting<>(
        key,
        env,
        Integer.toString(defaultValue),
        raw -> {
          int value;
          try {
            value = Integer.parseInt(raw.trim());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number");
          }
          if (value < min || value > max) {
            throw new IllegalArgumentException("expected " + min + ".." + max);
          }
          return value;
        });
  }

  static Setting<String> text(String key, String env, String defaultValue) {
    return new Setting<>(key, env, defaultValue, String::trim);
  }

  static Setting<String> text(
      String key, String env, String defaultValue, Function<String, String> check) {
    return new Setting<>(key, env, defaultValue, raw -> check.apply(raw.trim()));
  }
}

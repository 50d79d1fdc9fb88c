package org.liaison.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import java.util.function.Supplier;
import org.liaison.server.api.ApiError;

/**
 * For tests that call domain services directly: the {@link ApiError} a call refuses with, whether
 * it throws before returning a future or fails the future.
 */
public final class Refusals {
  private Refusals() {}

  public static ApiError refused(Supplier<? extends Future<?>> call) {
    try {
      Object result = TestServer.await(call.get());
      return fail("expected a refusal, got " + result);
    } catch (ApiError e) {
      return e;
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof ApiError error) {
        return error;
      }
      throw e;
    }
  }

  /** Refused with this HTTP status and error code. */
  public static ApiError refused(int status, String code, Supplier<? extends Future<?>> call) {
    ApiError error = refused(call);
    assertEquals(code, error.code(), error.getMessage());
    assertEquals(status, error.status(), error.getMessage());
    return error;
  }
}

package org.liaison.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Future;
import java.util.List;
import java.util.function.Supplier;
import org.liaison.server.api.ApiError;

/** For tests that call domain services directly, without HTTP. */
public final class ServiceCalls {
  private ServiceCalls() {}

  /** The refusal of a call, whether it throws before returning a future or fails the future. */
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

  /** Waits up to five seconds for {@code list} (filled by another thread) to hold {@code size}. */
  public static void awaitSize(List<?> list, int size) {
    long deadline = System.currentTimeMillis() + 5000;
    while (list.size() < size && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertEquals(size, list.size(), list.toString());
  }
}

package org.liaison.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.liaison.server.testing.Api;
import org.liaison.server.testing.TestServer;
import org.yaml.snakeyaml.Yaml;

/** The API document and the router describe the same routes, neither more nor less. */
class OpenApiContractTest {
  private static final Set<String> HTTP_METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options");
  @TempDir Path dataDir;

  @Test
  @SuppressWarnings("unchecked")
  void everyRouteIsDocumentedAndEveryDocumentedRouteExists() {
    try (TestServer test = TestServer.start(dataDir)) {
      Api.Response served = test.api().get("/api/v1/openapi.yaml", null);
      assertEquals(200, served.status());
      Map<String, Object> document = new Yaml().load(served.body());
      Map<String, Map<String, Object>> paths =
          (Map<String, Map<String, Object>>) document.get("paths");
      Set<String> documented = new TreeSet<>();
      paths.forEach(
          (path, operations) ->
              operations.keySet().stream()
                  .filter(HTTP_METHODS::contains)
                  .forEach(
                      method ->
                          documented.add(
                              method.toUpperCase() + " " + path.replaceAll("\\{(\\w+)}", ":$1"))));
      Set<String> routed = new TreeSet<>(test.server().routes());
      assertTrue(routed.contains("POST /api/v1/auth/login"), routed.toString());
      assertTrue(routed.contains("GET /health"), routed.toString());
      assertEquals(documented, routed);
    }
  }
}

package dev.bluegreen.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The kubectl the kubectl tests run. Locally, without kubectl on the PATH, they are skipped with a message
 * saying how to install it; in CI ({@code CI=true}) a missing kubectl fails them.
 */
final class KubectlOnPath {

    private KubectlOnPath() {
    }

    static Path require() {
        Optional<Path> found = Kubectl.find();
        if (found.isPresent()) {
            return found.get();
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("kubectl is not on the PATH, and with CI=true the kubectl tests must run: " + Kubectl.HOW_TO_INSTALL);
        }
        Assumptions.abort("kubectl is not on the PATH, so the kubectl tests are skipped; to run them, " + Kubectl.HOW_TO_INSTALL);
        throw new AssertionError("unreachable");
    }
}

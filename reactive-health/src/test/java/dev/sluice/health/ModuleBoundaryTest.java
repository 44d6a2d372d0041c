package dev.sluice.health;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing outside this module reaches into {@code dev.sluice.health.internal}: what others need is public API. */
class ModuleBoundaryTest {

    @Test
    void noOtherModuleImportsTheInternalPackage() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> offenders;
        try (Stream<Path> files = Files.walk(root)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.startsWith(root.resolve("reactive-health")))
                    .filter(p -> p.toString().contains("/src/"))
                    .filter(ModuleBoundaryTest::importsInternal)
                    .toList();
        }
        assertThat(root.resolve("demo/src")).as("run from the reactive-health module of the project").isDirectory();
        assertThat(offenders).as("sources importing dev.sluice.health.internal").isEmpty();
    }

    private static boolean importsInternal(Path file) {
        try {
            return Files.readString(file).contains("dev.sluice.health.internal");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

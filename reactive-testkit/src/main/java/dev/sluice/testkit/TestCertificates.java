package dev.sluice.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority with a server certificate (for {@code localhost} and {@code 127.0.0.1})
 * and a client certificate, made with the {@code openssl} command, for tests of TLS and of certificate
 * authentication against real servers. Keys are unencrypted PKCS#8 PEM files readable by their owner only (as
 * PostgreSQL demands of its key). Certificates are valid for two days.
 *
 * @param caCertificate     the CA's certificate, to trust on both sides
 * @param serverCertificate the server's certificate, signed by the CA
 * @param serverKey         the server's key
 * @param clientCertificate the client's certificate, signed by the CA, with the client name as its common name
 * @param clientKey         the client's key
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey, Path clientCertificate,
                               Path clientKey) {

    /**
     * Generates the files in {@code directory}.
     *
     * @param clientName the client certificate's common name (for PostgreSQL's {@code cert} authentication: the user name)
     * @throws IllegalStateException with openssl's output when a command fails or {@code openssl} is missing
     */
    public static TestCertificates generate(Path directory, String clientName) {
        try {
            Files.createDirectories(directory);
            Path caKey = directory.resolve("ca.key");
            Path ca = directory.resolve("ca.crt");
            openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=sluice-test-ca",
                    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                    "-keyout", caKey.toString(), "-out", ca.toString());
            Path serverKey = directory.resolve("server.key");
            Path server = directory.resolve("server.crt");
            sign(directory, "server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
                    ca, caKey, serverKey, server);
            Path clientKey = directory.resolve("client.key");
            Path client = directory.resolve("client.crt");
            sign(directory, "client", clientName, "extendedKeyUsage=clientAuth\n", ca, caKey, clientKey, client);
            for (Path key : List.of(caKey, serverKey, clientKey)) {
                Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
            }
            return new TestCertificates(ca, server, serverKey, client, clientKey);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write certificates in " + directory + ": " + e.getMessage(), e);
        }
    }

    private static void sign(Path directory, String name, String commonName, String extensions, Path ca, Path caKey,
                             Path key, Path certificate) throws IOException {
        Path request = directory.resolve(name + ".csr");
        Path extensionFile = Files.writeString(directory.resolve(name + ".ext"), extensions);
        openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + commonName,
                "-keyout", key.toString(), "-out", request.toString());
        openssl(directory, "x509", "-req", "-in", request.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", "2", "-extfile", extensionFile.toString(), "-out", certificate.toString());
    }

    private static void openssl(Path directory, String... arguments) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("openssl " + arguments[0] + " did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", arguments) + " failed:\n" + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run openssl (is it installed?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running openssl", e);
        }
    }
}

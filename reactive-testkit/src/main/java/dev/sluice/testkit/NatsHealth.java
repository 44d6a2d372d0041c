package dev.sluice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One {@code GET /healthz} against a nats-server monitoring port. nats-server answers 200
 * {@code {"status":"ok"}} when healthy and 503 with the reason otherwise (for example
 * {@code "JetStream has not established contact with a meta leader"}).
 *
 * @param healthy whether the answer was 200
 * @param detail  the answer's body, or why there was no answer
 */
record NatsHealth(boolean healthy, String detail) {

    private static final int TIMEOUT_MILLIS = 1000;

    /** Asks {@code monitorUrl + "/healthz"}; blocking, at most about {@value #TIMEOUT_MILLIS} ms per phase. */
    static NatsHealth probe(String monitorUrl) {
        HttpURLConnection http = null;
        try {
            http = (HttpURLConnection) URI.create(monitorUrl + "/healthz").toURL().openConnection();
            http.setConnectTimeout(TIMEOUT_MILLIS);
            http.setReadTimeout(TIMEOUT_MILLIS);
            int status = http.getResponseCode();
            try (InputStream body = status < 400 ? http.getInputStream() : http.getErrorStream()) {
                String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8).trim();
                return new NatsHealth(status == 200, status + " " + text);
            }
        } catch (IOException e) {
            return new NatsHealth(false, "no answer: " + e);
        } finally {
            if (http != null) {
                http.disconnect();
            }
        }
    }
}

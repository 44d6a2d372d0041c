package dev.sluice.health;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Where alert events go besides {@link HealthMonitor#alerts()}. The monitor calls each sink on a worker thread of
 * its own (Reactor's bounded-elastic scheduler), one event at a time and in order, so a slow sink delays only itself;
 * an exception thrown by a sink is logged and the sink keeps receiving later events.
 */
@FunctionalInterface
public interface AlertSink {

    /** Receives one event. */
    void accept(AlertEvent event);

    /**
     * A sink that logs through SLF4J (logger {@code dev.sluice.health.alerts}): FIRING of HIGH and CRITICAL alerts at
     * ERROR, other FIRING at WARN, RESOLVED at INFO.
     */
    static AlertSink log() {
        Logger log = LoggerFactory.getLogger("dev.sluice.health.alerts");
        return event -> {
            if (event.state() == AlertEvent.State.RESOLVED) {
                log.info("RESOLVED {}", event.summary());
            } else if (event.severity().compareTo(Severity.HIGH) >= 0) {
                log.error("FIRING {}", event.summary());
            } else {
                log.warn("FIRING {}", event.summary());
            }
        };
    }

    /** A sink that hands every event to {@code callback}. */
    static AlertSink callback(Consumer<? super AlertEvent> callback) {
        Objects.requireNonNull(callback, "callback");
        return callback::accept;
    }
}

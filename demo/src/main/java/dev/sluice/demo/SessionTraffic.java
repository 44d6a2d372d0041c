package dev.sluice.demo;

import dev.sluice.pool.kv.KvStore;
import reactor.core.publisher.Mono;

import java.util.concurrent.ThreadLocalRandom;

/** Keeps a user session in the KV bucket: a put, then a get of the same key. */
final class SessionTraffic implements Traffic {

    private final KvStore sessions;

    SessionTraffic(KvStore sessions) {
        this.sessions = sessions;
    }

    @Override
    public String name() {
        return "sessions";
    }

    @Override
    public Mono<Void> once(long n) {
        String key = "session." + ThreadLocalRandom.current().nextInt(1, 200);
        return sessions.put(key, "{\"user\":\"" + key + "\",\"seen\":" + System.currentTimeMillis() + "}")
                .then(sessions.get(key))
                .then();
    }
}

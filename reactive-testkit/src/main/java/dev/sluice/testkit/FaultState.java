package dev.sluice.testkit;

import io.netty.buffer.ByteBuf;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * One immutable setting of a {@link FaultProxy}: its mode, the added latency, and (for a black hole) the signal
 * that the network has healed. The proxy swaps the whole object when its mode changes.
 */
final class FaultState {

    private final FaultProxy.Mode mode;
    private final Duration latency;
    private final Sinks.Empty<Void> healed;

    private FaultState(FaultProxy.Mode mode, Duration latency) {
        this.mode = mode;
        this.latency = latency;
        this.healed = mode == FaultProxy.Mode.BLACK_HOLE ? Sinks.empty() : null;
    }

    static FaultState passThrough() {
        return new FaultState(FaultProxy.Mode.PASS_THROUGH, Duration.ZERO);
    }

    static FaultState latency(Duration latency) {
        return new FaultState(FaultProxy.Mode.LATENCY, latency);
    }

    static FaultState refuse() {
        return new FaultState(FaultProxy.Mode.REFUSE, Duration.ZERO);
    }

    static FaultState blackHole() {
        return new FaultState(FaultProxy.Mode.BLACK_HOLE, Duration.ZERO);
    }

    FaultProxy.Mode mode() {
        return mode;
    }

    Duration latency() {
        return latency;
    }

    /** Ends this black hole: whatever waits in {@link #whenOpen(Supplier)} or {@link #forward} goes on. No-op for other modes. */
    void heal() {
        if (healed != null) {
            healed.tryEmitEmpty();
        }
    }

    /**
     * Completes as soon as the network lets traffic through: at once, or when the black hole current at
     * subscription (read from {@code current}) heals. Cold.
     */
    static Mono<Void> whenOpen(Supplier<FaultState> current) {
        return Mono.defer(() -> {
            FaultState state = current.get();
            return state.healed == null ? Mono.<Void>empty() : state.healed.asMono().then(whenOpen(current));
        });
    }

    /**
     * Emits {@code chunk} when the proxy may write it on: while black-holed it waits for the network to heal
     * (then re-reads the mode); with latency it waits until {@code latency} after the chunk's arrival. Cold; on
     * cancellation the chunk is discarded (released by the discard hook of the relay).
     */
    static Mono<Chunk> forward(Chunk chunk, Supplier<FaultState> current) {
        return Mono.defer(() -> {
            FaultState state = current.get();
            if (state.healed != null) {
                return Mono.just(chunk).delayUntil(c -> state.healed.asMono()).flatMap(c -> forward(c, current));
            }
            long wait = chunk.arrivalNanos() + state.latency.toNanos() - System.nanoTime();
            return wait > 0 ? Mono.just(chunk).delayElement(Duration.ofNanos(wait)) : Mono.just(chunk);
        });
    }

    /** A chunk of bytes read from one side of a relayed connection, with the time it arrived. */
    record Chunk(ByteBuf bytes, long arrivalNanos) {

        static Chunk arrived(ByteBuf bytes) {
            return new Chunk(bytes, System.nanoTime());
        }

        void release() {
            if (bytes.refCnt() > 0) {
                bytes.release();
            }
        }
    }
}

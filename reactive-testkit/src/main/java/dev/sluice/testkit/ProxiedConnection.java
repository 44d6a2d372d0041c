package dev.sluice.testkit;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import java.util.ArrayList;
import java.util.List;

/**
 * One client connection accepted by a {@link FaultProxy} and, once the network lets it through, its connection
 * to the target. Knows how to end both sides, gracefully or with a reset.
 */
final class ProxiedConnection {

    private final Connection client;
    private volatile Connection target;

    ProxiedConnection(Connection client) {
        this.client = client;
    }

    Connection client() {
        return client;
    }

    /** Records the connection to the target; closes it at once when the client has gone meanwhile. */
    void attach(Connection target) {
        this.target = target;
        if (!client.channel().isActive()) {
            target.dispose();
        }
    }

    /**
     * Resets both sides: {@code SO_LINGER} 0, then close, so each peer gets a TCP RST instead of a FIN. The
     * returned Mono completes when both channels are closed.
     */
    Mono<Void> reset() {
        return endBoth(true);
    }

    /** Closes both sides normally (FIN). The returned Mono completes when both channels are closed. */
    Mono<Void> close() {
        return endBoth(false);
    }

    private Mono<Void> endBoth(boolean reset) {
        List<Connection> sides = new ArrayList<>(2);
        sides.add(client);
        Connection attached = target;
        if (attached != null) {
            sides.add(attached);
        }
        if (reset) {
            sides.forEach(ProxiedConnection::lingerZero);
        }
        sides.forEach(side -> side.channel().close());
        return Mono.when(sides.stream().map(Connection::onDispose).toList());
    }

    /**
     * Makes the next close of this side send RST. Done on both sides before either is closed, because closing
     * one side ends the relay, which closes the other.
     */
    private static void lingerZero(Connection side) {
        Channel channel = side.channel();
        try {
            if (channel.isOpen()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            }
        } catch (ChannelException closedMeanwhile) {
            // the peer closed it first: nothing left to reset
        }
    }
}

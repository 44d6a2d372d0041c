package dev.sluice.pool;

import reactor.core.publisher.Mono;

/**
 * Runs inside a transaction after its work and before its commit, and may veto the commit. Return an empty
 * {@code Mono} to allow it, or a reason to veto: the transaction is then rolled back and the caller gets a
 * {@link TxVetoException} carrying the reason. An error from the check also rolls back, and reaches the
 * caller as it is.
 */
@FunctionalInterface
public interface CommitCheck {

    /** @param tx the transaction about to commit (its statements see the transaction's writes) */
    Mono<String> veto(Tx tx);
}

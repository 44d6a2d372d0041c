package dev.sluice.pool.kv.internal;

import io.nats.client.AuthHandler;
import io.nats.client.NKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * NKey authentication from a file holding the user's seed (as the NATS CLI's {@code --nkey}): answers the
 * server's nonce with a signature and presents the public key, sending no JWT. The seed is read from the file
 * at each connect and never kept in a field, a message or a log.
 */
final class NKeySeedAuth implements AuthHandler {

    private final Path seedFile;

    NKeySeedAuth(Path seedFile) {
        this.seedFile = seedFile;
    }

    private NKey key() {
        char[] seed = null;
        try {
            seed = new String(Files.readAllBytes(seedFile), StandardCharsets.US_ASCII).trim().toCharArray();
            return NKey.fromSeed(seed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the NKey seed file " + seedFile + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the NKey seed file " + seedFile + " does not hold a valid user seed (SU...)");
        } finally {
            if (seed != null) {
                Arrays.fill(seed, '\0');
            }
        }
    }

    @Override
    public byte[] sign(byte[] nonce) {
        NKey key = key();
        try {
            return key.sign(nonce);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("signing the server's nonce with the NKey from " + seedFile + " failed", e);
        } finally {
            key.clear();
        }
    }

    @Override
    public char[] getID() {
        NKey key = key();
        try {
            return key.getPublicKey();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the NKey from " + seedFile + " has no public key", e);
        } finally {
            key.clear();
        }
    }

    @Override
    public char[] getJWT() {
        return null;
    }
}

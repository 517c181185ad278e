package io.github.iotcatalog.streams;

/**
 * What a routing processor decided for one record: go on ({@link Accepted}) or leave the main flow
 * for a side topic ({@link Diverted}, with the envelope written there). {@code split()} branches on it.
 *
 * @param <T> the type that goes on
 */
public sealed interface Routed<T> {

    /** The record continues; {@code value} may be {@code null} for a table tombstone. */
    record Accepted<T>(T value) implements Routed<T> {
    }

    /** The record goes to a side topic as {@code envelope} (JSON bytes), for {@code reason}. */
    record Diverted<T>(String reason, byte[] envelope) implements Routed<T> {
    }

    static boolean isAccepted(Routed<?> routed) {
        return routed instanceof Accepted<?>;
    }

    @SuppressWarnings("unchecked")
    static <T> T acceptedValue(Routed<T> routed) {
        return ((Accepted<T>) routed).value();
    }

    static byte[] envelope(Routed<?> routed) {
        return ((Diverted<?>) routed).envelope();
    }
}

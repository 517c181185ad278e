package io.github.iotcatalog.streams;

/**
 * The outcome of checking one input record: either the parsed value, or the named reason it was refused.
 *
 * <p>Example: {@code EventValidator.validate("BER1-L1-M01", bytes)} returns {@code Valid(event)} or
 * {@code Rejected("out_of_range:temperature_c")}.
 *
 * @param <T> the parsed value's type
 */
public sealed interface ValidationResult<T> {

    /** A record that passed every check. */
    record Valid<T>(T value) implements ValidationResult<T> {
    }

    /** A record that failed a check; {@code reason} names the first check it failed. */
    record Rejected<T>(String reason) implements ValidationResult<T> {
    }
}

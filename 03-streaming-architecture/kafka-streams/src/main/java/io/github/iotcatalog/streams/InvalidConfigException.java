package io.github.iotcatalog.streams;

/** A preprocessing setting is missing or invalid; the message shows what was expected and what was found. */
public final class InvalidConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String message) {
        super(message);
    }
}

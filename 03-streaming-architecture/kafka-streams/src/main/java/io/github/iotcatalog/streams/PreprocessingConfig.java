package io.github.iotcatalog.streams;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.EmitStrategy;

/**
 * Topics, window and emit settings of the topology, read from the {@code preprocessing.*} keys of a
 * properties file; every other key is a Kafka Streams setting.
 *
 * <pre>{@code
 * preprocessing.input.topic=iot.sensor-events                 # default shown for each key
 * preprocessing.metadata.topic=iot.machine-metadata
 * preprocessing.output.topic=iot.machine-minute-aggregates
 * preprocessing.dead.letter.topic=iot.sensor-events.dead-letter
 * preprocessing.late.topic=iot.sensor-events.late
 * preprocessing.window.size=PT1M                              # ISO-8601 durations
 * preprocessing.window.grace=PT5M
 * preprocessing.emit=on_window_update                         # or on_window_close
 * }</pre>
 */
public record PreprocessingConfig(
        String inputTopic,
        String metadataTopic,
        String outputTopic,
        String deadLetterTopic,
        String lateTopic,
        Duration windowSize,
        Duration grace,
        String emit) {

    public static final String PREFIX = "preprocessing.";
    public static final String ON_WINDOW_UPDATE = "on_window_update";
    public static final String ON_WINDOW_CLOSE = "on_window_close";

    public PreprocessingConfig {
        List<String> topics = List.of(inputTopic, metadataTopic, outputTopic, deadLetterTopic, lateTopic);
        if (topics.stream().anyMatch(t -> t == null || t.isBlank())) {
            throw new InvalidConfigException("expected five non-blank topic names, got " + topics);
        }
        if (new HashSet<>(topics).size() != topics.size()) {
            throw new InvalidConfigException("expected five distinct topic names, got " + topics);
        }
        if (windowSize.isNegative() || windowSize.isZero()) {
            throw new InvalidConfigException("window.size: expected a positive duration, got " + windowSize);
        }
        if (grace.isNegative()) {
            throw new InvalidConfigException("window.grace: expected a duration >= 0, got " + grace);
        }
        if (!List.of(ON_WINDOW_UPDATE, ON_WINDOW_CLOSE).contains(emit)) {
            throw new InvalidConfigException("emit: expected on_window_update or on_window_close, got " + emit);
        }
    }

    /** The defaults listed above. */
    public static PreprocessingConfig defaults() {
        return fromProperties(new Properties());
    }

    public static PreprocessingConfig fromProperties(Properties properties) {
        return new PreprocessingConfig(
                properties.getProperty(PREFIX + "input.topic", "iot.sensor-events"),
                properties.getProperty(PREFIX + "metadata.topic", "iot.machine-metadata"),
                properties.getProperty(PREFIX + "output.topic", "iot.machine-minute-aggregates"),
                properties.getProperty(PREFIX + "dead.letter.topic", "iot.sensor-events.dead-letter"),
                properties.getProperty(PREFIX + "late.topic", "iot.sensor-events.late"),
                duration(properties, "window.size", "PT1M"),
                duration(properties, "window.grace", "PT5M"),
                properties.getProperty(PREFIX + "emit", ON_WINDOW_UPDATE));
    }

    /**
     * The Kafka Streams settings: every key without the {@code preprocessing.} prefix, with
     * {@code processing.guarantee=exactly_once_v2} unless the file sets it. {@code application.id} and
     * {@code bootstrap.servers} are required.
     */
    public static Properties streamsProperties(Properties properties) {
        Properties streams = new Properties();
        properties.stringPropertyNames().stream().filter(name -> !name.startsWith(PREFIX))
                .forEach(name -> streams.setProperty(name, properties.getProperty(name)));
        for (String required : List.of(StreamsConfig.APPLICATION_ID_CONFIG, StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)) {
            if (streams.getProperty(required, "").isBlank()) {
                throw new InvalidConfigException("expected the Kafka Streams setting " + required + ", found none");
            }
        }
        streams.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return streams;
    }

    public EmitStrategy emitStrategy() {
        return ON_WINDOW_CLOSE.equals(emit) ? EmitStrategy.onWindowClose() : EmitStrategy.onWindowUpdate();
    }

    private static Duration duration(Properties properties, String key, String fallback) {
        String text = properties.getProperty(PREFIX + key, fallback);
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidConfigException(key + ": expected an ISO-8601 duration such as PT1M, got " + text);
        }
    }
}

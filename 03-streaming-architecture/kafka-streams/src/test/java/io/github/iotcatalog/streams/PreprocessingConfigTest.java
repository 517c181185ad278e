package io.github.iotcatalog.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class PreprocessingConfigTest {

    @Test
    void defaultsAreOneMinuteWindowsWithFiveMinutesGraceEmittedOnUpdate() {
        PreprocessingConfig config = PreprocessingConfig.defaults();
        assertEquals(Duration.ofMinutes(1), config.windowSize());
        assertEquals(Duration.ofMinutes(5), config.grace());
        assertEquals(PreprocessingConfig.ON_WINDOW_UPDATE, config.emit());
        assertEquals("iot.sensor-events.dead-letter", config.deadLetterTopic());
    }

    @Test
    void aBadDurationNamesTheKeyAndTheValue() {
        Properties properties = new Properties();
        properties.setProperty("preprocessing.window.grace", "5 minutes");
        InvalidConfigException error = assertThrows(InvalidConfigException.class,
                () -> PreprocessingConfig.fromProperties(properties));
        assertEquals("window.grace: expected an ISO-8601 duration such as PT1M, got 5 minutes", error.getMessage());
    }

    @Test
    void topicsMustBeDistinct() {
        Properties properties = new Properties();
        properties.setProperty("preprocessing.late.topic", "iot.sensor-events.dead-letter");
        assertThrows(InvalidConfigException.class, () -> PreprocessingConfig.fromProperties(properties));
    }

    @Test
    void anUnknownEmitStrategyIsRefused() {
        Properties properties = new Properties();
        properties.setProperty("preprocessing.emit", "suppress");
        InvalidConfigException error = assertThrows(InvalidConfigException.class,
                () -> PreprocessingConfig.fromProperties(properties));
        assertEquals("emit: expected on_window_update or on_window_close, got suppress", error.getMessage());
    }

    @Test
    void streamsPropertiesDefaultToExactlyOnceV2AndDropOurOwnKeys() {
        Properties file = new Properties();
        file.setProperty("application.id", "preprocessing");
        file.setProperty("bootstrap.servers", "localhost:9092");
        file.setProperty("preprocessing.window.size", "PT1M");

        Properties streams = PreprocessingConfig.streamsProperties(file);

        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, streams.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertFalse(streams.containsKey("preprocessing.window.size"));
    }

    @Test
    void anExplicitGuaranteeIsKeptAndAMissingApplicationIdIsNamed() {
        Properties file = new Properties();
        file.setProperty("bootstrap.servers", "localhost:9092");
        InvalidConfigException error = assertThrows(InvalidConfigException.class,
                () -> PreprocessingConfig.streamsProperties(file));
        assertEquals("expected the Kafka Streams setting application.id, found none", error.getMessage());

        file.setProperty("application.id", "preprocessing");
        file.setProperty("processing.guarantee", "at_least_once");
        assertEquals("at_least_once",
                PreprocessingConfig.streamsProperties(file).getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    }
}

package io.github.iotcatalog.streams;

import java.time.Instant;

/**
 * A validated sensor event. Metrics are {@code null} when the device did not send them (allowed).
 *
 * <p>{@code rawJson} keeps the original payload so a later stage can still dead-letter or
 * late-route the event byte for byte.
 */
public record SensorEvent(
        String eventId,
        String machineId,
        String plantId,
        String lineId,
        String machineType,
        Instant eventTime,
        Double temperatureC,
        Double vibrationMmS,
        Double pressureBar,
        Double spindleSpeedRpm,
        String rawJson) {
}

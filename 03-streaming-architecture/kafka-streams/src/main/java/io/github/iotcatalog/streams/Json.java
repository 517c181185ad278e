package io.github.iotcatalog.streams;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The one Jackson mapper of the module: snake_case field names, unknown fields ignored. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    /** Timestamps in output JSON: {@code 2026-01-05T06:00:00.000Z}, the generator's and Spark's format. */
    private static final DateTimeFormatter UTC_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Json() {
    }

    public static String formatInstant(Instant instant) {
        return UTC_MILLIS.format(instant);
    }

    public static String formatEpochMillis(long epochMillis) {
        return formatInstant(Instant.ofEpochMilli(epochMillis));
    }
}

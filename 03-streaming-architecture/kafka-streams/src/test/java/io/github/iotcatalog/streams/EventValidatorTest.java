package io.github.iotcatalog.streams;

import static io.github.iotcatalog.streams.SensorJson.bytes;
import static io.github.iotcatalog.streams.SensorJson.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventValidatorTest {

    private static final String MACHINE = "BER1-L1-M01";
    private final EventValidator validator = new EventValidator(MetricRange.SENSOR_DEFAULTS);

    private String reasonFor(String key, String payload) {
        ValidationResult<SensorEvent> result = validator.validate(key, payload == null ? null : bytes(payload));
        return assertInstanceOf(ValidationResult.Rejected.class, result).reason();
    }

    @Test
    void aGeneratorEventIsValidAndKeepsItsFields() {
        ValidationResult<SensorEvent> result =
                validator.validate(MACHINE, bytes(event("e-1", MACHINE, "2026-01-05T06:00:00.200Z", 35.91)));

        SensorEvent parsed = assertInstanceOf(ValidationResult.Valid.class, result).value() instanceof SensorEvent e
                ? e : null;
        assertEquals("e-1", parsed.eventId());
        assertEquals(Instant.parse("2026-01-05T06:00:00.200Z"), parsed.eventTime());
        assertEquals(35.91, parsed.temperatureC());
        assertNull(parsed.spindleSpeedRpm(), "JSON null metric is absent, not invalid");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "payload cut in half                  | {\"event_id\":\"e-1\",\"machine_id\":\"BER1-L1 | malformed_json",
        "trailing garbage after the object    | {\"event_id\":\"e-1\"} x                       | malformed_json",
        "a JSON array                         | [1,2]                                          | not_a_json_object",
        "no event_id                          | {\"machine_id\":\"BER1-L1-M01\",\"event_time\":\"2026-01-05T06:00:00Z\"} | missing_event_id",
        "blank event_id                       | {\"event_id\":\" \",\"machine_id\":\"BER1-L1-M01\",\"event_time\":\"2026-01-05T06:00:00Z\"} | missing_event_id",
        "no machine_id                        | {\"event_id\":\"e-1\",\"event_time\":\"2026-01-05T06:00:00Z\"} | missing_machine_id",
        "no event_time                        | {\"event_id\":\"e-1\",\"machine_id\":\"BER1-L1-M01\"} | missing_or_invalid_event_time",
        "event_time not a timestamp           | {\"event_id\":\"e-1\",\"machine_id\":\"BER1-L1-M01\",\"event_time\":\"yesterday\"} | missing_or_invalid_event_time",
        "key of another machine               | {\"event_id\":\"e-1\",\"machine_id\":\"BER1-L1-M02\",\"event_time\":\"2026-01-05T06:00:00Z\"} | key_does_not_match_machine_id",
        "temperature above 400                | {\"event_id\":\"e-1\",\"machine_id\":\"BER1-L1-M01\",\"event_time\":\"2026-01-05T06:00:00Z\",\"temperature_c\":9999.0} | out_of_range:temperature_c",
        "negative vibration                   | {\"event_id\":\"e-1\",\"machine_id\":\"BER1-L1-M01\",\"event_time\":\"2026-01-05T06:00:00Z\",\"vibration_mm_s\":-1} | out_of_range:vibration_mm_s",
        "pressure as text                     | {\"event_id\":\"e-1\",\"machine_id\":\"BER1-L1-M01\",\"event_time\":\"2026-01-05T06:00:00Z\",\"pressure_bar\":\"6.5\"} | invalid_type:pressure_bar",
    })
    void anInvalidEventIsRejectedWithTheFirstFailedCheck(String description, String payload, String reason) {
        assertEquals(reason, reasonFor(MACHINE, payload), description);
    }

    @Test
    void anEmptyPayloadIsRejected() {
        assertEquals("empty_payload", reasonFor(MACHINE, null));
        assertEquals("empty_payload", reasonFor(MACHINE, ""));
    }

    @Test
    void rangeBoundsAreInclusive() {
        String atBounds = "{\"event_id\":\"e-1\",\"machine_id\":\"M\",\"event_time\":\"2026-01-05T06:00:00Z\","
                + "\"temperature_c\":-40.0,\"vibration_mm_s\":100.0,\"pressure_bar\":400,\"spindle_speed_rpm\":0}";
        assertInstanceOf(ValidationResult.Valid.class, validator.validate("M", bytes(atBounds)));
    }

    @Test
    void metricsAreCheckedInNameOrderSoTheReasonIsStable() {
        String twoBad = "{\"event_id\":\"e-1\",\"machine_id\":\"M\",\"event_time\":\"2026-01-05T06:00:00Z\","
                + "\"temperature_c\":9999.0,\"pressure_bar\":-5}";
        assertEquals("out_of_range:pressure_bar", reasonFor("M", twoBad));
    }
}

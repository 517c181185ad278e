package io.github.iotcatalog.streams;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Checks one raw sensor event and names the first check it fails.
 *
 * <p>Reasons, in the order they are checked: {@code empty_payload}, {@code malformed_json},
 * {@code not_a_json_object}, {@code missing_event_id}, {@code missing_machine_id},
 * {@code missing_or_invalid_event_time}, {@code key_does_not_match_machine_id} (the Kafka key must be
 * the machine id: the metadata join relies on it), then per metric in name order
 * {@code invalid_type:<metric>} or {@code out_of_range:<metric>}. A metric that is absent or JSON
 * null is allowed. The first six reasons and the range check are the ones the Python silver layer
 * of this folder uses.
 *
 * <p>Example:
 * <pre>{@code
 * EventValidator validator = new EventValidator(MetricRange.SENSOR_DEFAULTS);
 * validator.validate("M1", "{\"event_id\":\"e1\"}".getBytes(UTF_8));   // Rejected("missing_machine_id")
 * }</pre>
 */
public final class EventValidator {

    private final List<MetricRange> ranges;

    public EventValidator(List<MetricRange> ranges) {
        this.ranges = ranges.stream().sorted(Comparator.comparing(MetricRange::metric)).toList();
    }

    public ValidationResult<SensorEvent> validate(String key, byte[] value) {
        if (value == null || value.length == 0) {
            return new ValidationResult.Rejected<>("empty_payload");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            return new ValidationResult.Rejected<>("malformed_json");
        }
        if (node == null || !node.isObject()) {
            return new ValidationResult.Rejected<>("not_a_json_object");
        }
        String eventId = text(node, "event_id");
        if (eventId == null) {
            return new ValidationResult.Rejected<>("missing_event_id");
        }
        String machineId = text(node, "machine_id");
        if (machineId == null) {
            return new ValidationResult.Rejected<>("missing_machine_id");
        }
        Instant eventTime = instant(text(node, "event_time"));
        if (eventTime == null) {
            return new ValidationResult.Rejected<>("missing_or_invalid_event_time");
        }
        if (!Objects.equals(key, machineId)) {
            return new ValidationResult.Rejected<>("key_does_not_match_machine_id");
        }
        for (MetricRange range : ranges) {
            JsonNode metric = node.get(range.metric());
            if (metric == null || metric.isNull()) {
                continue;
            }
            if (!metric.isNumber()) {
                return new ValidationResult.Rejected<>("invalid_type:" + range.metric());
            }
            if (!range.contains(metric.doubleValue())) {
                return new ValidationResult.Rejected<>("out_of_range:" + range.metric());
            }
        }
        return new ValidationResult.Valid<>(new SensorEvent(
                eventId, machineId, text(node, "plant_id"), text(node, "line_id"), text(node, "machine_type"),
                eventTime, number(node, "temperature_c"), number(node, "vibration_mm_s"),
                number(node, "pressure_bar"), number(node, "spindle_speed_rpm"), node.toString()));
    }

    /** The non-blank text of {@code field}, or {@code null}. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            return null;
        }
        return value.asText();
    }

    private static Double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isNumber() ? null : value.doubleValue();
    }

    private static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

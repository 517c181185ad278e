package io.github.iotcatalog.streams;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.apache.kafka.streams.kstream.Windowed;

/**
 * The output record of one machine-minute window: flat JSON that Spark parses with an explicit
 * schema (kafka-streams/spark_landing/kafka_streams_landing.py, {@code MACHINE_MINUTE_SCHEMA}).
 *
 * <pre>{@code
 * {"machine_id":"BER1-L1-M01","plant_id":"BER1","line_id":"BER1-L1","machine_type":"cnc_mill",
 *  "site_id":"SITE-BER","division_id":"DIV-EU","manufacturer":"Northmill","model":"NM-500",
 *  "window_start":"2026-01-05T06:00:00.000Z","window_end":"2026-01-05T06:01:00.000Z",
 *  "event_count":12,"unknown_machine_events":0,"avg_temperature_c":54.113,"max_temperature_c":88.1,
 *  "avg_vibration_mm_s":6.021,"max_pressure_bar":240.2,
 *  "first_event_time":"2026-01-05T06:00:01.200Z","last_event_time":"2026-01-05T06:00:58.400Z"}
 * }</pre>
 */
public final class MachineMinuteJson {

    private MachineMinuteJson() {
    }

    public static String render(Windowed<String> window, MachineMinuteAggregate aggregate) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("machine_id", window.key());
        node.put("plant_id", aggregate.plantId());
        node.put("line_id", aggregate.lineId());
        node.put("machine_type", aggregate.machineType());
        node.put("site_id", aggregate.siteId());
        node.put("division_id", aggregate.divisionId());
        node.put("manufacturer", aggregate.manufacturer());
        node.put("model", aggregate.model());
        node.put("window_start", Json.formatEpochMillis(window.window().start()));
        node.put("window_end", Json.formatEpochMillis(window.window().end()));
        node.put("event_count", aggregate.eventCount());
        node.put("unknown_machine_events", aggregate.unknownMachineEvents());
        node.put("avg_temperature_c", average(aggregate.temperatureSum(), aggregate.temperatureCount()));
        node.put("max_temperature_c", aggregate.temperatureMax());
        node.put("avg_vibration_mm_s", average(aggregate.vibrationSum(), aggregate.vibrationCount()));
        node.put("max_pressure_bar", aggregate.pressureMax());
        node.put("first_event_time", Json.formatEpochMillis(aggregate.firstEventTimeMs()));
        node.put("last_event_time", Json.formatEpochMillis(aggregate.lastEventTimeMs()));
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ObjectNode of strings and numbers always serializes", e);
        }
    }

    /** Average rounded half-up to 3 decimals (as the Python gold layer does), {@code null} without values. */
    static Double average(double sum, long count) {
        if (count == 0) {
            return null;
        }
        return BigDecimal.valueOf(sum / count).setScale(3, RoundingMode.HALF_UP).doubleValue();
    }
}

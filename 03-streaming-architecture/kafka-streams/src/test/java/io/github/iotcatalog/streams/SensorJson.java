package io.github.iotcatalog.streams;

import java.nio.charset.StandardCharsets;

/** Payloads shaped like the catalog generator's sensor events and plant hierarchy rows. */
final class SensorJson {

    private SensorJson() {
    }

    static String event(String eventId, String machineId, String eventTime, double temperatureC) {
        return "{\"customExtension\":{\"tool_id\":\"T011\"},\"event_id\":\"" + eventId + "\",\"event_time\":\""
                + eventTime + "\",\"firmware_version\":\"1.4.2\",\"line_id\":\"self-reported-line\","
                + "\"machine_id\":\"" + machineId + "\",\"machine_type\":\"self-reported-type\","
                + "\"plant_id\":\"BER1\",\"pressure_bar\":6.55,\"spindle_speed_rpm\":null,"
                + "\"temperature_c\":" + temperatureC + ",\"vibration_mm_s\":7.5}";
    }

    static String metadata(String machineId, String lineId, String machineType) {
        return "{\"machine_id\":\"" + machineId + "\",\"plant_id\":\"BER1\",\"line_id\":\"" + lineId
                + "\",\"machine_type\":\"" + machineType + "\",\"site_id\":\"SITE-BER\",\"division_id\":\"DIV-EU\","
                + "\"manufacturer\":\"Northmill\",\"model\":\"NM-500\"}";
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
